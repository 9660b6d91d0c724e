/**
 * Cursor follow-ups read inside the index (issue 12 item 7). Pure: the key a cursor's position has
 * in an index, and the key condition's intervals cut to what comes after it in the read direction.
 *
 * Two ways to resume (ResumeFrom):
 *  - `key`: the path's key order is the whole effective sort, `_id` tie-break included
 *    (query/indexPlan.ts readsIdOrder): "after the position in the sort" is "after its key in the
 *    read direction", an exclusive bound.
 *  - `run`: the index gives the sort's fields but not its `_id` tie-break (read backwards, the `_id`
 *    suffix comes out descending; an index without the suffix gives ties in no order). The bound is
 *    the position's fields part alone, inclusive: the read starts at the beginning of the position's
 *    run of equal indexed values, the reader completes and re-sorts runs as on a first page, and
 *    drops the rows up to the position in memory.
 * A `$in` merge (order.merge) resumes each value's interval on its own: its key is that interval's
 * prefix (the fixed equalities and its `$in` value) followed by the position's sort values.
 *
 * A position key cut at MAX_SK_BYTES is no longer exact (items past it may share the cut key): the
 * bound then includes it, and the reader drops rows at or before the position in memory on every
 * path anyway.
 */
import type { IndexRecord } from '../model/collection';
import { indexFieldsSk, indexSk, MAX_SK_BYTES, type IndexKeySpec } from '../store/indexKeys';
import type { Node, SortKey } from './ast';
import { before, conjuncts, type KeyInterval } from './indexKeyRange';
import { setPath } from './values';

/** How a follow-up bounds its read: after the position's whole key, or from the start of its run. */
export type ResumeFrom = 'key' | 'run';

/** Longest stored key, in hex characters. */
const MAX_HEX = MAX_SK_BYTES * 2;

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
 * sortOrder), the rest are the position's values; `run`: the fields part alone, without `_id`.
 * Undefined when a fixed field has no equality.
 */
export function positionKey(
  index: IndexRecord,
  sort: readonly SortKey[],
  position: readonly unknown[],
  filter: Node,
  from: ResumeFrom = 'key',
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
  if (from === 'run') return indexFieldsSk(index, item);
  setPath(item, '_id', position[position.length - 1]);
  return indexSk(index, item);
}

/**
 * The position's key in each interval of a `$in` merge: the interval's prefix (every key of a
 * value's interval starts with it: the fixed equalities, then that `$in` value) followed by the
 * encoding of the index's fields after the `$in` one set to the position's sort values (then its
 * `_id` for `key`), cut as stored keys are. Encodings concatenate (each field's bytes follow the
 * previous ones; the `_id` follows the fields), so this is the key an item with those values has.
 * Undefined when the sort is not the index's trailing fields.
 */
export function mergePositionKeys(
  index: IndexRecord,
  sort: readonly SortKey[],
  position: readonly unknown[],
  prefixes: readonly string[],
  from: ResumeFrom,
): string[] | undefined {
  if (position.length !== sort.length) return undefined;
  const keys = sort.length - 1;
  const start = index.fields.length - keys;
  if (keys === 0 || start < 1) return undefined;
  const item: Record<string, unknown> = { _id: position[position.length - 1] };
  for (let i = start; i < index.fields.length; i++) {
    const path = index.fields[i]!.path;
    if (sort[i - start]!.field !== path) return undefined;
    setPath(item, path, position[i - start] ?? null);
  }
  // The trailing fields alone, as their own key: cut at MAX_SK_BYTES, at least what any prefix leaves.
  const tail: IndexKeySpec = { ...index, fields: index.fields.slice(start) };
  const rest = from === 'key' ? indexSk(tail, item) : indexFieldsSk(tail, item);
  return prefixes.map((prefix) => (prefix + rest).slice(0, MAX_HEX));
}

/**
 * The part of `intervals` (undefined: the whole partition) after `key` in the read direction:
 * ascending reads start past it, descending ones end before it. Exclusive for a whole position key
 * (`key`); inclusive of every key starting with it for a run's fields part (`run`) or a key cut at
 * the size limit. Empty when nothing is left to read. Each interval keeps its prefix (the one it
 * had before the cut), which a `$in` merge orders by.
 */
export function resumeIntervals(
  intervals: readonly KeyInterval[] | undefined,
  key: string,
  descending: boolean,
  from: ResumeFrom = 'key',
): KeyInterval[] {
  const cut = key.length >= MAX_HEX;
  const inclusive = from === 'run' || cut;
  const all = intervals ?? [{ lo: BOTTOM, hi: TOP }];
  const out: KeyInterval[] = [];
  for (const r of all) {
    const { lo, hi } = r;
    const prefix = r.prefix ?? (intervals ? lo : undefined);
    const keep = prefix === undefined ? {} : { prefix };
    if (descending) {
      // every key starting with `key` (a cut key: only itself), or the largest bound below it and
      // everything starting with that (only `key` itself is excluded, being whole)
      const upper = cut ? key : inclusive ? `${key}${TOP}` : before(key);
      const h = upper < hi ? upper : hi;
      if (lo <= h) out.push({ lo, hi: h, ...keep });
    } else {
      // `key + '0'` is the smallest hex string above `key`
      const lower = inclusive ? key : `${key}0`;
      const l = lower > lo ? lower : lo;
      if (l <= hi) out.push({ lo: l, hi, ...keep });
    }
  }
  return out;
}

/**
 * The intervals a follow-up reads: the key condition's `intervals` cut after `position`, each `$in`
 * value's interval on its own for a merge. Undefined when the position has no key in the index.
 */
export function resumeRead(
  index: IndexRecord,
  sort: readonly SortKey[],
  position: readonly unknown[],
  filter: Node,
  intervals: readonly KeyInterval[] | undefined,
  read: { descending: boolean; merge: boolean; from: ResumeFrom },
): KeyInterval[] | undefined {
  if (!read.merge) {
    const key = positionKey(index, sort, position, filter, read.from);
    return key === undefined ? undefined : resumeIntervals(intervals, key, read.descending, read.from);
  }
  if (!intervals) return undefined;
  const prefixes = intervals.map((r) => r.prefix ?? r.lo);
  const keys = mergePositionKeys(index, sort, position, prefixes, read.from);
  if (!keys) return undefined;
  return intervals.flatMap((r, i) => resumeIntervals([r], keys[i]!, read.descending, read.from));
}
