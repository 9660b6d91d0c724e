/** V3 aggregate and distinct requests -> specs. */
import {
  MAX_AGGREGATE_NAME,
  MAX_GROUPING_FIELDS,
  MAX_OPERATIONS,
  type AggregateKind,
  type AggregateOperation,
  type AggregateSpec,
} from '../../service/aggregate';
import { requireCollectionIdString } from '../../service/collectionModel';
import type { DistinctSpec } from '../../service/distinct';
import { peekCursorKind } from '../../query/cursor';
import type { Json } from '../operation';
import { parseQueryRequest, parseSort } from './queryRequest';
import { isObject, invalidField as bad } from '../../shape';

const KINDS: Record<string, AggregateKind> = {
  sum: 'sum',
  average: 'average',
  min: 'min',
  max: 'max',
  itemCount: 'count',
  count: 'count',
};

/** Paging fields shared with queries: reuse the query parser on an equivalent query object. */
function paging(request: Json) {
  const spec = parseQueryRequest({
    collectionId: request.collectionId,
    query: { paging: request.paging, cursorPaging: request.cursorPaging },
    returnTotalCount: request.returnTotalCount,
    consistentRead: request.consistentRead,
  });
  return {
    limit: spec.limit,
    offset: spec.offset,
    cursorMode: spec.cursorMode,
    cursor: spec.cursor,
    limitGiven: spec.limitGiven,
    returnTotalCount: spec.returnTotalCount,
    consistentRead: spec.consistentRead,
  };
}

function fieldList(raw: unknown, path: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (
    !Array.isArray(raw) ||
    raw.length > MAX_GROUPING_FIELDS ||
    raw.some((f) => typeof f !== 'string' || f.length === 0 || f.length > MAX_AGGREGATE_NAME)
  ) {
    bad(path, `must be an array of at most ${MAX_GROUPING_FIELDS} field names`);
  }
  return raw as string[];
}

function operations(raw: unknown): AggregateOperation[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_OPERATIONS)
    bad('aggregation.operations', `must be an array of at most ${MAX_OPERATIONS} operations`);
  return raw.map((op, i) => {
    const at = `aggregation.operations[${i}]`;
    if (!isObject(op)) bad(at, 'must be an object');
    if (
      typeof op.resultFieldName !== 'string' ||
      op.resultFieldName.length === 0 ||
      op.resultFieldName.length > MAX_AGGREGATE_NAME ||
      op.resultFieldName.includes('.')
    ) {
      bad(`${at}.resultFieldName`, 'must be a non-empty name without dots');
    }
    const kinds = Object.keys(op).filter((k) => k !== 'resultFieldName');
    const name = kinds[0];
    if (kinds.length !== 1 || name === undefined || !Object.prototype.hasOwnProperty.call(KINDS, name)) {
      bad(at, 'must hold exactly one of sum, average, min, max, itemCount, count');
    }
    const kind = KINDS[name]!;
    const body = op[name];
    let field: string | undefined;
    if (kind !== 'count') {
      if (
        !isObject(body) ||
        typeof body.itemFieldName !== 'string' ||
        body.itemFieldName.length === 0 ||
        body.itemFieldName.length > MAX_AGGREGATE_NAME
      ) {
        bad(`${at}.${name}.itemFieldName`, 'must be a field name');
      }
      field = body.itemFieldName as string;
    }
    return { resultFieldName: op.resultFieldName, kind, field };
  });
}

/** undefined when the request has no aggregation: it then behaves as a query. */
export function parseAggregateRequest(request: Json): AggregateSpec | undefined {
  const collectionId = requireCollectionIdString(request.collectionId);
  const agg = request.aggregation;
  if (agg !== undefined && agg !== null && !isObject(agg)) bad('aggregation', 'must be an object');
  const groupingFields = fieldList(agg?.groupingFields, 'aggregation.groupingFields');
  const ops = operations(agg?.operations);
  const followUp =
    isObject(request.cursorPaging) && peekCursorKind(request.cursorPaging.cursor) === 'aggregate';
  if (groupingFields.length === 0 && ops.length === 0 && !followUp) return undefined;
  return {
    collectionId,
    initialFilter: request.initialFilter,
    groupingFields,
    operations: ops,
    finalFilter: request.finalFilter,
    sort: parseSort(request.sort, 'sort'),
    ...paging(request),
  };
}

export function parseDistinctRequest(request: Json): DistinctSpec {
  const collectionId = requireCollectionIdString(request.collectionId);
  if (
    typeof request.fieldName !== 'string' ||
    request.fieldName.length === 0 ||
    request.fieldName.length > 1024
  ) {
    bad('fieldName', 'must be a field name');
  }
  const order = request.order ?? 'ASC';
  if (order !== 'ASC' && order !== 'DESC') bad('order', 'must be ASC or DESC');
  return {
    collectionId,
    filter: request.filter,
    fieldName: request.fieldName,
    desc: order === 'DESC',
    ...paging(request),
  };
}

/** pagingMetadata for offset or cursor pages. */
export function pagingMetadata(
  count: number,
  r: { offset: number; total: number | undefined; nextCursor: string | null | undefined },
  cursorMode: boolean,
) {
  const meta: Record<string, unknown> = { count };
  if (cursorMode) meta.cursors = { next: r.nextCursor ?? null, prev: null };
  else meta.offset = r.offset;
  if (r.total !== undefined) meta.total = r.total;
  return meta;
}
