/**
 * `/data/aggregate` (wix-legacy notes §10.18) -> AggregateSpec, and the rows back.
 *
 * Both shapes are accepted:
 * - v2: `{collectionName, filter, processingStep, postFilteringStep}` with `$`-prefixed field
 *   references (`"$price"`);
 * - v1 (velo-external-db before Dec 2021): the same steps under `aggregation`, without `$`.
 *
 * `processingStep._id` is the group key: `"$field"`, or `{anyName: "$field", ...}` (several fields;
 * the names are not used, rows carry the original field names, §10.18), or absent/null for one
 * group over every match. Every other key is an alias -> `{$avg|$max|$min|$sum: "$field"}`, and
 * `{$sum: 1}` counts. `postFilteringStep` filters the rows (either filter dialect). Unlike the
 * reference adaptor (issue #537), paging is honoured when sent: `sort` (legacy shape), `skip`,
 * `limit` (default and maximum: the schema's maxPageSize); `totalCount` counts every row.
 */
import { createHash } from 'node:crypto';
import { canonical, getPath, hasOwn } from '../../query/values';
import {
  MAX_AGGREGATE_NAME,
  MAX_GROUPING_FIELDS,
  MAX_OPERATIONS,
  type AggregateKind,
  type AggregateOperation,
  type AggregateSpec,
} from '../../service/aggregate';
import type { Json } from '../operation';
import { MAX_OFFSET } from '../v3/queryRequest';
import { translateFilter } from './filter';
import { collectionName, MAX_PAGE_SIZE, parseLegacySort } from './requests';
import { isObject, invalidField as bad } from '../../shape';

const FUNCTIONS: Readonly<Record<string, AggregateKind>> = {
  $avg: 'average',
  $sum: 'sum',
  $min: 'min',
  $max: 'max',
};

/** `"$price"` (v2) or `"price"` (v1) -> `price`. */
function fieldRef(v: unknown, path: string): string {
  if (typeof v !== 'string') bad(path, 'must be a field reference such as "$price"', v);
  const field = v.startsWith('$') ? v.slice(1) : v;
  if (field.length === 0 || field.length > MAX_AGGREGATE_NAME || field.startsWith('$'))
    bad(path, 'must be a field reference such as "$price"', v);
  return field;
}

function groupingFields(raw: unknown, path: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') return [fieldRef(raw, path)];
  if (!isObject(raw)) bad(path, 'must be "$field" or {name: "$field", ...}', raw);
  const entries = Object.entries(raw);
  // the same cap as V3's groupingFields, checked before any work per entry
  if (entries.length > MAX_GROUPING_FIELDS) bad(path, `may group by at most ${MAX_GROUPING_FIELDS} fields`);
  const fields = entries.map(([name, ref]) => fieldRef(ref, `${path}.${name}`));
  return [...new Set(fields)];
}

function operation(alias: string, raw: unknown, path: string): AggregateOperation {
  if (!isObject(raw) || Object.keys(raw).length !== 1)
    bad(path, 'must be one of {$avg|$sum|$min|$max: "$field"} or {$sum: 1}', raw);
  const [fn, ref] = Object.entries(raw)[0]!;
  // own keys only: "constructor" or "__proto__" are not aggregation functions
  if (!hasOwn(FUNCTIONS, fn)) bad(`${path}.${fn}`, `Unrecognized aggregation ${fn}`);
  const kind = FUNCTIONS[fn]!;
  if (fn === '$sum' && typeof ref === 'number') {
    if (ref !== 1) bad(`${path}.${fn}`, '{$sum: <number>} only counts as {$sum: 1}', ref);
    return { resultFieldName: alias, kind: 'count', field: undefined };
  }
  return { resultFieldName: alias, kind, field: fieldRef(ref, `${path}.${fn}`) };
}

export interface LegacyAggregate {
  readonly spec: AggregateSpec;
  /** `_id` is synthesised for rows (the CMS needs one) unless it is a grouping field. */
  readonly synthesiseId: boolean;
}

export function parseLegacyAggregate(request: Json): LegacyAggregate {
  const v1 = isObject(request.aggregation);
  const steps = v1 ? (request.aggregation as Record<string, unknown>) : request;
  const base = v1 ? 'aggregation.' : '';
  const processing = steps.processingStep;
  if (!isObject(processing)) bad(`${base}processingStep`, 'must be an object', processing);
  const grouping = groupingFields(processing._id, `${base}processingStep._id`);
  const aliases = Object.entries(processing).filter(([alias]) => alias !== '_id');
  if (aliases.length > MAX_OPERATIONS)
    bad(`${base}processingStep`, `may hold at most ${MAX_OPERATIONS} operations`);
  const operations = aliases.map(([alias, raw]) => {
    if (
      alias.length === 0 ||
      alias.length > MAX_AGGREGATE_NAME ||
      alias.startsWith('$') ||
      alias.includes('.')
    )
      bad(`${base}processingStep`, `${JSON.stringify(alias)} is not a valid result name`);
    return operation(alias, raw, `${base}processingStep.${alias}`);
  });
  if (operations.some((op) => grouping.includes(op.resultFieldName)))
    bad(`${base}processingStep`, 'a result name repeats a grouping field');

  const limitRaw = request.limit;
  let limit = MAX_PAGE_SIZE;
  if (limitRaw !== undefined && limitRaw !== null) {
    if (typeof limitRaw !== 'number' || !Number.isInteger(limitRaw) || limitRaw < 0)
      bad('limit', 'must be a non-negative integer', limitRaw);
    limit = Math.min(limitRaw, MAX_PAGE_SIZE);
  }
  const skip = request.skip ?? 0;
  if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0 || skip > MAX_OFFSET)
    bad('skip', `must be an integer from 0 to ${MAX_OFFSET}`, skip);

  return {
    spec: {
      collectionId: collectionName(request),
      initialFilter: translateFilter(request.filter),
      groupingFields: grouping,
      operations,
      finalFilter: translateFilter(steps.postFilteringStep, `${base}postFilteringStep`),
      sort: parseLegacySort(request.sort),
      limit,
      offset: skip,
      cursorMode: false,
      cursor: undefined,
      limitGiven: true,
      returnTotalCount: true,
      consistentRead: false,
    },
    synthesiseId: !grouping.includes('_id'),
  };
}

/** Rows as the reference answers them: `_id` first (a stable hash of the group when synthesised). */
export function legacyAggregateRows(
  rows: readonly Record<string, unknown>[],
  { spec, synthesiseId }: LegacyAggregate,
): Record<string, unknown>[] {
  if (!synthesiseId) return [...rows];
  return rows.map((row) => {
    const key = canonical(spec.groupingFields.map((f) => groupValue(row, f)));
    const _id = createHash('sha1').update(key).digest('hex');
    return { _id, ...row };
  });
}

function groupValue(row: Record<string, unknown>, path: string): unknown {
  return getPath(row, path).value ?? null;
}
