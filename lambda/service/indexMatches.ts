/**
 * Every match of a filter read through an index (aggregate, distinct: service/query.ts forEachMatch).
 * Such a read needs every match, as a count does, so the index is the one a count would choose
 * (query/indexPlan.ts chooseIndex with a total): the one that bounds the most leading fields, or
 * none when no ACTIVE index bounds the filter. Every item its key condition selects is read once
 * (all its intervals) and the whole filter re-checked in memory, so the answer is the base path's.
 */
import type { CollectionRecord } from '../model/collection';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import type { Node } from '../query/ast';
import { matches } from '../query/evaluate';
import type { Tick } from '../query/sort';
import type { WixItem } from '../store/items';
import { streamIndex } from '../store/indexQuery';
import type { Budget } from '../store/paginate';
import { allMatchesPaths } from './indexQuery';

/**
 * Calls `onItem` for every match read through the cheapest index that bounds `filter`, and returns
 * true; returns false (nothing read) when none does, or when `_id` bounds it (the base table's key
 * read is never worse). The caller keeps consistent reads and attached tables off this path.
 */
export async function forEachIndexedMatch(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  filter: Node,
  budget: Budget,
  onItem: (item: WixItem) => void,
): Promise<boolean> {
  const paths = allMatchesPaths(ctx, record, filter);
  if (!paths) return false;
  const tick: Tick = () => ctx.budget.tick();
  // no `wanted`: every selected item is needed, so pages are as large as DynamoDB gives
  for (const path of paths)
    for await (const page of streamIndex(deps.db, path, undefined, budget))
      for (const { item } of page) if (matches(filter, item, tick)) onItem(item);
  return true;
}
