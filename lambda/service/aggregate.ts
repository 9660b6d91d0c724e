/**
 * Aggregation: initialFilter (planned like a query) -> group by groupingFields -> sum / average /
 * min / max / count per group -> finalFilter over the result rows -> sort -> page.
 *
 * Semantics (documented in docs/query.md):
 * - sum: exact decimal sum of the numeric values; 0 for a group with none. Non-numbers are ignored.
 * - average: that sum divided by the number of numeric values; null when there are none.
 * - min / max: over present, non-null values in the sort order (numbers, then strings, then dates);
 *   null when there are none.
 * - count (`itemCount` or `count`): rows in the group.
 * - a missing grouping value groups as null; rows carry every grouping field and every result name
 *   and no synthetic _id (unless _id is a grouping field).
 */
import { QueryTooExpensiveError, ValidationError } from '../errors';
import type { RequestContext } from '../model/context';
import type { SortKey } from '../query/ast';
import { add, fromNumber, toNumber, ZERO, type Decimal } from '../query/decimal';
import { matches } from '../query/evaluate';
import { ALLOW_ALL, parseFilter } from '../query/parse';
import { sortRows, type Row } from '../query/sort';
import { canonical, compareSortValues, getPath, setPath, sortValue, type SortValue } from '../query/values';
import type { Deps } from '../model/deps';
import { setOwn } from '../store/values';
import { forEachMatch } from './query';
import { resolveCollection } from './sources';
import { pageOf, resume, type OffsetPaged, type PageResult } from './offsetPages';
import { fieldPolicy } from './queryPolicy';

/** Request caps, the same for V3 `items/aggregate` and legacy `/data/aggregate`. */
export const MAX_GROUPING_FIELDS = 32;
export const MAX_OPERATIONS = 100;
/** Longest grouping field path or result name. */
export const MAX_AGGREGATE_NAME = 1024;
/**
 * What the groups held in memory may add up to, in cells (a group holds one per grouping field and
 * one accumulator per operation): 100,000 groups of one field and one count, 1,000 groups of 32
 * fields and 68 operations. Past it the answer is a 400 QUERY_TOO_EXPENSIVE, never an exhausted process.
 */
export const MAX_GROUP_CELLS = 100_000;

export function maxGroups(groupingFields: number, operations: number): number {
  return Math.max(1, Math.floor(MAX_GROUP_CELLS / Math.max(1, groupingFields + operations)));
}

export type AggregateKind = 'sum' | 'average' | 'min' | 'max' | 'count';

export interface AggregateOperation {
  readonly resultFieldName: string;
  readonly kind: AggregateKind;
  readonly field: string | undefined;
}

export interface AggregateSpec extends OffsetPaged {
  readonly initialFilter: unknown;
  readonly groupingFields: readonly string[];
  readonly operations: readonly AggregateOperation[];
  readonly finalFilter: unknown;
  readonly sort: readonly SortKey[];
  readonly consistentRead: boolean;
}

interface Acc {
  sum: Decimal;
  numeric: number;
  /** min / max so far, with its sort value built once (documents compare by canonical text). */
  best: SortValue | undefined;
  count: number;
}

function accumulate(acc: Acc, op: AggregateOperation, item: Row): void {
  acc.count += 1;
  if (op.kind === 'count' || !op.field) return;
  const { present, value } = getPath(item, op.field);
  if (!present || value === null) return;
  if (op.kind === 'sum' || op.kind === 'average') {
    if (typeof value === 'number') {
      acc.sum = add(acc.sum, fromNumber(value));
      acc.numeric += 1;
    }
    return;
  }
  const candidate = sortValue(value);
  if (acc.best === undefined) acc.best = candidate;
  else {
    const c = compareSortValues(candidate, acc.best);
    if ((op.kind === 'min' && c < 0) || (op.kind === 'max' && c > 0)) acc.best = candidate;
  }
}

function result(acc: Acc, op: AggregateOperation): unknown {
  switch (op.kind) {
    case 'count':
      return acc.count;
    case 'sum':
      return toNumber(acc.sum);
    case 'average':
      return acc.numeric === 0 ? null : toNumber(acc.sum) / acc.numeric;
    default:
      return acc.best === undefined ? null : acc.best.value;
  }
}

export function checkAggregation(
  groupingFields: readonly string[],
  operations: readonly AggregateOperation[],
): void {
  const names = new Set<string>();
  for (const op of operations) {
    if (names.has(op.resultFieldName) || groupingFields.includes(op.resultFieldName)) {
      throw new ValidationError(`result field ${op.resultFieldName} is used twice`, [
        {
          fieldPath: 'aggregation.operations',
          rejectedValue: op.resultFieldName,
          message: 'duplicate result field name',
        },
      ]);
    }
    names.add(op.resultFieldName);
  }
}

export async function aggregateItems(
  deps: Deps,
  ctx: RequestContext,
  given: AggregateSpec,
): Promise<PageResult<Row>> {
  const record = await resolveCollection(deps, ctx, given.collectionId);
  const { spec, offset } = resume(deps, ctx, given, record.generation, 'aggregate');
  checkAggregation(spec.groupingFields, spec.operations);
  const initial = parseFilter(spec.initialFilter, fieldPolicy(record), 'initialFilter');
  const final = parseFilter(spec.finalFilter, ALLOW_ALL, 'finalFilter');

  const groups = new Map<string, { keyValues: unknown[]; accs: Acc[] }>();
  const limitGroups = maxGroups(spec.groupingFields.length, spec.operations.length);
  const tick = () => ctx.budget.tick();
  await forEachMatch(deps, ctx, record, initial, spec.consistentRead, (item) => {
    tick();
    const keyValues = spec.groupingFields.map((f) => getPath(item, f).value ?? null);
    const key = canonical(keyValues);
    let g = groups.get(key);
    if (!g) {
      if (groups.size >= limitGroups) {
        throw new QueryTooExpensiveError(
          `the aggregation makes more than ${limitGroups} groups (at most ${MAX_GROUP_CELLS} grouping values and ` +
            'results in all); narrow initialFilter or group by fewer or coarser fields',
        );
      }
      g = {
        keyValues,
        accs: spec.operations.map(() => ({ sum: ZERO, numeric: 0, best: undefined, count: 0 })),
      };
      groups.set(key, g);
    }
    spec.operations.forEach((op, i) => accumulate(g.accs[i]!, op, item));
  });

  let rows: Row[] = [...groups.values()].map((g) => {
    tick();
    const row: Row = {};
    spec.groupingFields.forEach((f, i) => setPath(row, f, g.keyValues[i]));
    spec.operations.forEach((op, i) => setOwn(row, op.resultFieldName, result(g.accs[i]!, op)));
    return row;
  });
  // no items and no grouping: still one row over the (empty) set, as SQL does
  if (rows.length === 0 && spec.groupingFields.length === 0 && spec.operations.length > 0) {
    const row: Row = {};
    spec.operations.forEach((op) =>
      setOwn(row, op.resultFieldName, result({ sum: ZERO, numeric: 0, best: undefined, count: 0 }, op)),
    );
    rows = [row];
  }
  rows = rows.filter((r) => matches(final, r, tick));
  const tieBreak: SortKey[] = [...spec.groupingFields, ...spec.operations.map((o) => o.resultFieldName)].map(
    (field) => ({ field, desc: false }),
  );
  rows = sortRows(rows, [...spec.sort, ...tieBreak], tick);

  return pageOf(deps, ctx, rows, spec, offset, record.generation, 'aggregate');
}
