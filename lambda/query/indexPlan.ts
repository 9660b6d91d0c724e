/**
 * Index-backed reads (DESIGN §4 step 3, issue 12 item 5). Pure: which ACTIVE index (if any) a query
 * reads, and the GSI Queries that read it; service/indexQuery.ts runs them.
 *
 * A candidate is an ACTIVE index whose leading fields the filter bounds (query/indexKeyRange.ts),
 * or whose key order is the requested order after the fields fixed by equalities. The cost rule
 * (chooseIndex, argued in docs/architecture.md) picks one or keeps the base table. The filter goes
 * along as a FilterExpression and is re-checked in memory, as on every path.
 */
import type { IndexRecord } from '../model/collection';
import { hasIdSuffix } from '../store/indexKeys';
import { gsiPk, gsiSk } from '../store/schema';
import type { Node, SortKey } from './ast';
import { express } from './express';
import { conjuncts, indexKeyCondition, type IndexKeyCondition, type KeyInterval } from './indexKeyRange';
import { Placeholders } from './placeholders';

export interface IndexPath {
  readonly index: IndexRecord;
  /** read the GSI backwards (the sort is the index's order reversed) */
  readonly descending: boolean;
  readonly keyCondition: string;
  readonly filterExpression: string | undefined;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
  /** the FilterExpression is the whole filter, exactly (so Select COUNT counts the answer) */
  readonly exact: boolean;
  /** the key prefix every key this path reads starts with (one `$in` value's interval) */
  readonly prefix: string | undefined;
}

export interface IndexCandidate {
  readonly index: IndexRecord;
  readonly condition: IndexKeyCondition;
  /** Set when reading the key order (forwards or backwards) gives the requested order. */
  readonly order: SortOrder | undefined;
  /** That read gives the `_id` tie-break too (readsIdOrder): no run of ties to complete and re-sort. */
  readonly idOrder: boolean;
}

export interface SortOrder {
  readonly descending: boolean;
  /** each `$in` value's interval is in the order, not their concatenation: merge them by key suffix */
  readonly merge: boolean;
}

/**
 * Whether `index` read in key order gives `sort` (the effective sort: requested keys then `_id`),
 * given its first `equalities` fields are fixed: the sort keys must be the index's fields from some
 * point within the fixed ones to its end, all in the index's direction or all reversed. With
 * `points` (the next field held to `$in` values) the sort may also start after that field: each
 * value's interval is then in order and the intervals are merged. Ties (equal keys, truncated keys)
 * are ordered by the full sort in memory (service/indexQuery.ts).
 *
 * An index whose keys end with `_id` (store/indexKeys.ts hasIdSuffix) also serves a sort by `_id`
 * alone once every one of its fields is fixed by an equality: the keys it then selects differ only
 * by their `_id` suffix, ascending forwards, descending read backwards.
 */
export function sortOrder(
  index: IndexRecord,
  equalities: number,
  sort: readonly SortKey[],
  points = false,
): SortOrder | undefined {
  const keys = sort.filter((s, i) => !(s.field === '_id' && i === sort.length - 1));
  if (keys.length === 0) {
    // Case folding does not matter here: every selected key has the same fields part.
    const id = sort[sort.length - 1];
    if (id && hasIdSuffix(index) && equalities === index.fields.length)
      return { descending: id.desc, merge: false };
    return undefined;
  }
  if (index.caseInsensitive) return undefined; // its keys fold case, Wix's order does not
  const start = index.fields.length - keys.length;
  if (start < 0 || start > equalities + (points ? 1 : 0)) return undefined;
  const merge = start > equalities;
  const fields = index.fields.slice(start);
  const same = keys.every((k, i) => k.field === fields[i]!.path && k.desc === (fields[i]!.order === 'DESC'));
  const reversed = keys.every(
    (k, i) => k.field === fields[i]!.path && k.desc !== (fields[i]!.order === 'DESC'),
  );
  if (same) return { descending: false, merge };
  if (reversed) return { descending: true, merge };
  return undefined;
}

/**
 * Whether reading `index` in the direction `descending` gives items of equal indexed values in the
 * sort's `_id` tie-break order: only keys with the `_id` suffix, read in that `_id` direction (read
 * backwards, the suffix comes out descending). Then every key is a run of its own; otherwise runs
 * are items with equal indexed values, completed and re-sorted by the reader.
 */
export function readsIdOrder(index: IndexRecord, sort: readonly SortKey[], descending: boolean): boolean {
  const last = sort[sort.length - 1];
  return hasIdSuffix(index) && last?.field === '_id' && last.desc === descending;
}

/** Every ACTIVE index that bounds the filter or serves the sort. */
export function indexCandidates(
  indexes: readonly IndexRecord[],
  filter: Node,
  sort: readonly SortKey[],
): IndexCandidate[] {
  const out: IndexCandidate[] = [];
  for (const index of indexes) {
    if (index.status !== 'ACTIVE') continue;
    const condition = indexKeyCondition(index, filter);
    const order = sortOrder(index, condition.equalities, sort, condition.points);
    if (condition.intervals === undefined && !order) continue;
    const idOrder = !!order && readsIdOrder(index, sort, order.descending);
    out.push({ index, condition, order, idOrder });
  }
  return out;
}

/** `_id` conditions the base table answers by key (query/plan.ts): never beaten by an index. */
export function boundsId(filter: Node): boolean {
  return conjuncts(filter).some(
    (c) =>
      c.kind === 'cmp' &&
      c.field === '_id' &&
      ['$eq', '$in', '$hasSome', '$gt', '$gte', '$lt', '$lte', '$startsWith'].includes(c.op),
  );
}

export interface ChoiceOptions {
  /** A total of all matches is wanted too (returnTotalCount, count). */
  readonly wantTotal: boolean;
  /** Sorted-in-memory pages above this offset are refused on the base path; an index must not differ. */
  readonly maxSortedOffset?: number;
  readonly skip?: number;
}

/** How many leading fields a candidate bounds: two per equality, one for the range after them. */
const bound = (c: IndexCandidate) => 2 * c.condition.equalities + (c.condition.ranged ? 1 : 0);

/**
 * The cost rule (docs/architecture.md, "choosing an index"), given the filter does not bound `_id`
 * (then the base table's key read is the cheapest):
 *  1. a key condition no item can satisfy wins (nothing is read);
 *  2. without a total, a candidate that serves the sort beats one that does not (it stops at a full
 *     page), then more bound fields beat fewer;
 *  3. with a total, more bound fields beat fewer (every match is read or counted anyway), then
 *     serving the sort; a candidate that bounds nothing is then no better than the base table;
 *  4. then a candidate whose read gives the `_id` tie-break too (no run of ties to complete);
 *     remaining ties go to the index created first (the list's order);
 *  5. a candidate that does not serve the sort is dropped when the offset is above what the base
 *     path sorts in memory (the answer, including the refusal, must not depend on indexes).
 */
export function chooseIndex(
  candidates: readonly IndexCandidate[],
  opts: ChoiceOptions,
): IndexCandidate | undefined {
  const usable = candidates.filter((c) => {
    if (c.condition.intervals?.length === 0) return true;
    if (opts.wantTotal && bound(c) === 0) return false;
    if (!c.order && opts.maxSortedOffset !== undefined && (opts.skip ?? 0) > opts.maxSortedOffset)
      return false;
    return true;
  });
  const impossible = usable.find((c) => c.condition.intervals?.length === 0);
  if (impossible) return impossible;
  const score = (c: IndexCandidate): number[] =>
    opts.wantTotal
      ? [bound(c), c.order ? 1 : 0, c.idOrder ? 1 : 0]
      : [c.order ? 1 : 0, bound(c), c.idOrder ? 1 : 0];
  const better = (a: number[], b: number[]) => {
    const k = a.findIndex((x, i) => x !== b[i]);
    return k >= 0 && a[k]! > b[k]!;
  };
  let best: IndexCandidate | undefined;
  for (const c of usable) if (!best || better(score(c), score(best))) best = c;
  return best;
}

const MAX_EXPRESSION_CHARS = 3500;

/**
 * The GSI Queries that read `intervals` of `index` in the partition `slotPk` (one per interval, in
 * the order to read them; one over the whole partition when the filter bounds no field), each with
 * `filter` as far as DynamoDB can check it.
 */
export function indexPaths(
  index: IndexRecord,
  descending: boolean,
  slotPk: string,
  intervals: readonly KeyInterval[] | undefined,
  filter: Node,
): IndexPath[] {
  const ranges: (KeyInterval | undefined)[] = intervals === undefined ? [undefined] : [...intervals];
  if (descending) ranges.reverse();
  return ranges.map((range) => {
    const ph = new Placeholders();
    let keyCondition = `${ph.name(gsiPk(index.slot))} = ${ph.value(slotPk)}`;
    if (range) {
      const sk = ph.name(gsiSk(index.slot));
      keyCondition +=
        range.hi === `${range.lo}g`
          ? ` AND begins_with(${sk}, ${ph.value(range.lo)})`
          : ` AND ${sk} BETWEEN ${ph.value(range.lo)} AND ${ph.value(range.hi)}`;
    }
    let compiled = express(filter, ph);
    if (compiled.expr && compiled.expr.length + keyCondition.length > MAX_EXPRESSION_CHARS) {
      compiled = { expr: undefined, exact: false };
    }
    const used = new Set(`${keyCondition} ${compiled.expr ?? ''}`.match(/[#:][nv]\d+/g) ?? []);
    return {
      index,
      descending,
      keyCondition,
      filterExpression: compiled.expr,
      names: Object.fromEntries(Object.entries(ph.names).filter(([k]) => used.has(k))),
      values: Object.fromEntries(Object.entries(ph.values).filter(([k]) => used.has(k))),
      exact: compiled.exact,
      prefix: range ? (range.prefix ?? range.lo) : undefined,
    };
  });
}
