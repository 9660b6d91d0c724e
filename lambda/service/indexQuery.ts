/**
 * Running an index-backed sort (query/indexPlan.ts): read the index in key order until the page is
 * full and the run of equal keys at its end is complete, then order that run by the full sort (its
 * `_id` tie-break; truncated keys also tie), so the page is exactly the one the in-memory sort gives.
 */
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import type { Node, SortKey } from '../query/ast';
import { matches } from '../query/evaluate';
import { indexPath, sortIndex } from '../query/indexPlan';
import { comparator, type Row } from '../query/sort';
import type { CollectionRecord } from '../model/collection';
import { indexPk } from '../store/indexKeys';
import { streamIndex } from '../store/indexQuery';
import type { Budget } from '../store/paginate';

export interface IndexedPage {
  readonly rows: Row[];
  readonly indexName: string;
}

/** The page `skip`..`skip + take` read through an index, or undefined when no index serves the sort. */
export async function collectByIndex(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  filter: Node,
  sort: readonly SortKey[],
  opts: { skip: number; take: number; budget: Budget },
): Promise<IndexedPage | undefined> {
  const chosen = sortIndex(record.indexes ?? [], sort);
  if (!chosen) return undefined;
  const scope = { tenant: ctx.tenant, collectionId: record.id, generation: record.generation };
  const path = indexPath(chosen.index, chosen.descending, indexPk(scope, chosen.index), filter);
  const wanted = opts.skip + opts.take;
  const rows: Row[] = [];
  let lastSk: string | undefined;
  let complete = false;
  for await (const page of streamIndex(deps.db, path, wanted, opts.budget)) {
    for (const { item, sk } of page) {
      if (!matches(filter, item)) continue;
      // Past the page: stop at the first key after the run the page ends in.
      if (rows.length >= wanted && sk !== lastSk) {
        complete = true;
        break;
      }
      rows.push(item);
      lastSk = sk;
    }
    if (complete) break;
  }
  rows.sort(comparator(sort));
  return { rows: rows.slice(opts.skip, wanted), indexName: chosen.index.name };
}
