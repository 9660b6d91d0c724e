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
import { ValidationError } from '../errors';
import type { RequestContext } from '../model/context';
import type { SortKey } from '../query/ast';
import { add, fromNumber, toNumber, ZERO, type Decimal } from '../query/decimal';
import { matches } from '../query/evaluate';
import { ALLOW_ALL, parseFilter } from '../query/parse';
import { comparator, type Row } from '../query/sort';
import { canonical, compareForSort, getPath } from '../query/values';
import type { Deps } from '../model/deps';
import { setOwn } from '../store/values';
import { forEachMatch } from './query';
import { resolveCollection } from './sources';
import { pageOf, resume, type OffsetPaged, type PageResult } from './offsetPages';
import { fieldPolicy } from './queryPolicy';

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
  best: unknown;
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
  if (acc.best === undefined) acc.best = value;
  else {
    const c = compareForSort(value, acc.best);
    if ((op.kind === 'min' && c < 0) || (op.kind === 'max' && c > 0)) acc.best = value;
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
      return acc.best === undefined ? null : acc.best;
  }
}

/** Sets a value at a dotted path, creating nested objects (grouping on `address.city`). */
function setPath(row: Row, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = row;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) setOwn(target, part, {});
    target = target[part] as Row;
  }
  setOwn(target, parts[parts.length - 1]!, value);
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
  await forEachMatch(deps, ctx, record, initial, spec.consistentRead, (item) => {
    const keyValues = spec.groupingFields.map((f) => getPath(item, f).value ?? null);
    const key = canonical(keyValues);
    let g = groups.get(key);
    if (!g) {
      g = {
        keyValues,
        accs: spec.operations.map(() => ({ sum: ZERO, numeric: 0, best: undefined, count: 0 })),
      };
      groups.set(key, g);
    }
    spec.operations.forEach((op, i) => accumulate(g.accs[i]!, op, item));
  });

  let rows: Row[] = [...groups.values()].map((g) => {
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
  rows = rows.filter((r) => matches(final, r));
  const tieBreak: SortKey[] = [...spec.groupingFields, ...spec.operations.map((o) => o.resultFieldName)].map(
    (field) => ({ field, desc: false }),
  );
  rows.sort(comparator([...spec.sort, ...tieBreak]));

  return pageOf(deps, ctx, rows, spec, offset, record.generation, 'aggregate');
}
