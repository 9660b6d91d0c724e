/**
 * Cursor follow-ups read inside the index (issue 12 item 7). Pure: the key a cursor's position has
 * in an index, and the key condition's intervals cut to what comes after it in the read direction.
 *
 * Only for a path whose key order is the whole effective sort, `_id` tie-break included
 * (query/indexPlan.ts readsIdOrder): then "after the position in the sort" is "after its key in
 * the read direction". A position key cut at MAX_SK_BYTES is no longer exact (items past it may
 * share the cut key): the bound then includes it, and the reader drops rows at or before the
 * position in memory on every path anyway.
 */
import type { IndexRecord } from '../model/collection';
import { indexSk, MAX_SK_BYTES } from '../store/indexKeys';
import type { Node, SortKey } from './ast';
import { before, conjuncts, type KeyInterval } from './indexKeyRange';
import { setPath } from './values';

/** Sorts after every hex key (as in query/indexKeyRange.ts). */
const TOP = 'g';
/** Sorts at or before every hex key (keys are never empty). */
const BOTTOM = '0';

/** The value an equality fixes `field` to, if the filter has one at the top level. */
function fixedValue(filter: Node, field: string): { value: unknown } | undefined {
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'cmp' || c.field !== field) continue;
    if (c.op === '$eq') return { value: c.operand };
    if (c.op === '$in' && Array.isArray(c.operand) && c.operand.length === 1) return { value: c.operand[0] };
  }
  return undefined;
}

/**
 * The index key of the cursor's `position` (the effective sort's values, the last one `_id`):
 * the index's fields before the sort's are fixed by the filter's equalities (query/indexPlan.ts
 * sortOrder), the rest are the position's values. Undefined when a fixed field has no equality.
 */
export function positionKey(
  index: IndexRecord,
  sort: readonly SortKey[],
  position: readonly unknown[],
  filter: Node,
): string | undefined {
  if (position.length !== sort.length) return undefined;
  const keys = sort.length - 1; // the sort's fields before the `_id` tie-break
  const start = index.fields.length - keys;
  if (start < 0) return undefined;
  const item: Record<string, unknown> = {};
  for (let i = 0; i < index.fields.length; i++) {
    const path = index.fields[i]!.path;
    if (i < start) {
      const fixed = fixedValue(filter, path);
      if (!fixed) return undefined;
      setPath(item, path, fixed.value);
    } else {
      if (sort[i - start]!.field !== path) return undefined;
      // a missing value sorts (and encodes) as null, which is what the cursor holds for it
      setPath(item, path, position[i - start] ?? null);
    }
  }
  setPath(item, '_id', position[position.length - 1]);
  return indexSk(index, item);
}

/**
 * The part of `intervals` (undefined: the whole partition) after `key` in the read direction:
 * ascending reads start past it, descending ones end before it. Exclusive while the key is whole,
 * inclusive when it was cut. Empty when nothing is left to read.
 */
export function resumeIntervals(
  intervals: readonly KeyInterval[] | undefined,
  key: string,
  descending: boolean,
): KeyInterval[] {
  const cut = key.length >= MAX_SK_BYTES * 2;
  const all = intervals ?? [{ lo: BOTTOM, hi: TOP }];
  const out: KeyInterval[] = [];
  for (const { lo, hi } of all) {
    if (descending) {
      // the largest bound below `key` and everything starting with it (only itself, being whole)
      const upper = cut ? key : before(key);
      const h = upper < hi ? upper : hi;
      if (lo <= h) out.push({ lo, hi: h });
    } else {
      // `key + '0'` is the smallest hex string above `key`
      const lower = cut ? key : `${key}0`;
      const l = lower > lo ? lower : lo;
      if (l <= hi) out.push({ lo: l, hi });
    }
  }
  return out;
}
