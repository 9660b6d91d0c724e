/**
 * Whether a reference record still joins the items it was made between.
 *
 * A remove deletes the references of its items, but that clean-up is best effort, the reverse index
 * it reads is eventually consistent, and an insert-references racing the remove can land after it.
 * A record left behind must not come back when the same `_id` is inserted again, so each record
 * carries the creation tokens of its two items (store/creationToken.ts) and counts only while both
 * items exist with those tokens.
 *
 * Checking needs the items. Where they are read anyway (the referenced items of an include, the
 * query rows an include fills) it costs nothing; `query-referenced` reads the items of the references
 * it answers with (the page, or all of them for a total), charged to the request's budget like any
 * read. A cheaper marker would have to be written when an item is inserted or removed (an extra
 * request per write, which the request-count tests rule out and a failed clean-up would skip too):
 * the only write that always happens with a new life of an `_id` is the item itself.
 *
 * Stale records are not deleted here: the functions that read references hold read-only access.
 * They go when either item is removed again (its references are deleted by id, whatever their
 * tokens), when the same pair is referenced again (store/references.ts replaces the stale record),
 * or with a truncate or delete of the collection.
 */
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import { creationTokenOf } from '../store/creationToken';
import type { WixItem } from '../store/items';
import type { Reference } from '../store/references';
import { getItemsCharged } from './chargedReads';

/** `item` (undefined: gone) is the one `token` was recorded from. */
export function sameLife(item: WixItem | undefined, token: string): boolean {
  return item !== undefined && creationTokenOf(item) === token;
}

export interface JoinedSides {
  /** partition of the referring items */
  readonly referringPk: string;
  /** partition of the referenced items */
  readonly referencedPk: string;
}

export interface LiveReferences {
  /** the first `need` live references of `refs`, in their order (all of them when fewer) */
  readonly live: Reference[];
  /** the referenced items read to check them, by id (for includeReferencedItems) */
  readonly referenced: Map<string, WixItem | undefined>;
}

/**
 * Walks `refs` in order and keeps the live ones until `need` are found, reading both items of each
 * reference once (batched per round: a round reads as many references as are still lacking, so with
 * no stale records one round reads exactly the page).
 */
export async function liveReferences(
  deps: Deps,
  ctx: RequestContext,
  sides: JoinedSides,
  refs: readonly Reference[],
  need: number,
  consistent: boolean,
): Promise<LiveReferences> {
  const referring = new Map<string, WixItem | undefined>();
  const referenced = new Map<string, WixItem | undefined>();
  const live: Reference[] = [];
  let next = 0;
  while (live.length < need && next < refs.length) {
    const round = refs.slice(next, next + Math.max(1, need - live.length));
    next += round.length;
    const missing = (ids: string[], known: Map<string, unknown>) => ids.filter((id) => !known.has(id));
    const referringIds = missing(
      round.map((r) => r.referringItemId),
      referring,
    );
    const referencedIds = missing(
      round.map((r) => r.referencedItemId),
      referenced,
    );
    const [a, b] = await Promise.all([
      getItemsCharged(deps, ctx, sides.referringPk, referringIds, consistent),
      getItemsCharged(deps, ctx, sides.referencedPk, referencedIds, consistent),
    ]);
    for (const id of referringIds) referring.set(id, a.get(id));
    for (const id of referencedIds) referenced.set(id, b.get(id));
    for (const r of round) {
      ctx.budget.tick();
      if (
        live.length < need &&
        sameLife(referring.get(r.referringItemId), r.referringToken) &&
        sameLife(referenced.get(r.referencedItemId), r.referencedToken)
      )
        live.push(r);
    }
  }
  return { live, referenced };
}
