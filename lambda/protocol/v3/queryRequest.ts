/** V3 query / count requests -> protocol-neutral specs, with every shape problem a 400 naming the field. */
import type { SortKey } from '../../query/ast';
import { requireCollectionIdString } from '../../service/collectionModel';
import type { CountSpec, QuerySpec } from '../../service/query';
import type { Json } from '../operation';
import { isObject, invalidField as bad } from '../../shape';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
export const MAX_OFFSET = 10_000_000;

function optionalBool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') bad(path, 'must be true or false', v);
  return v;
}

function intIn(v: unknown, path: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    bad(path, `must be an integer from ${min} to ${max}`, v);
  return v;
}

export function parseSort(raw: unknown, path = 'query.sort'): SortKey[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > 32)
    bad(path, 'must be an array of at most 32 {fieldName, order}', raw);
  return raw.map((s, i) => {
    if (
      !isObject(s) ||
      typeof s.fieldName !== 'string' ||
      s.fieldName.length === 0 ||
      s.fieldName.length > 1024
    ) {
      bad(`${path}[${i}].fieldName`, 'must be a non-empty string', s);
    }
    const order = s.order === undefined || s.order === null ? 'ASC' : s.order;
    if (order !== 'ASC' && order !== 'DESC') bad(`${path}[${i}].order`, 'must be ASC or DESC', s.order);
    return { field: s.fieldName, desc: order === 'DESC' };
  });
}

export function parseFields(raw: unknown, path = 'query.fields'): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (
    !Array.isArray(raw) ||
    raw.length > 1000 ||
    raw.some((f) => typeof f !== 'string' || f.length === 0 || f.length > 1024)
  ) {
    bad(path, 'must be an array of field names', raw);
  }
  return raw as string[];
}

export interface QueryRequestOptions {
  /**
   * PAGING_MODE=CURSOR: a request with neither `paging` nor `cursorPaging` is a first cursor page
   * (its answer carries `cursors.next`), as the collections report `pagingMode: "CURSOR"`.
   */
  readonly cursorByDefault?: boolean;
}

export function parseQueryRequest(request: Json, options: QueryRequestOptions = {}): QuerySpec {
  const collectionId = requireCollectionIdString(request.collectionId);
  const query = request.query ?? {};
  if (!isObject(query)) bad('query', 'must be an object', query);
  if (
    query.paging !== undefined &&
    query.paging !== null &&
    query.cursorPaging !== undefined &&
    query.cursorPaging !== null
  ) {
    bad('query', 'paging and cursorPaging are exclusive');
  }
  const cursorPaging = query.cursorPaging;
  let limit = DEFAULT_LIMIT;
  let offset = 0;
  let cursor: string | undefined;
  let limitGiven = false;
  if (cursorPaging !== undefined && cursorPaging !== null) {
    if (!isObject(cursorPaging)) bad('query.cursorPaging', 'must be an object', cursorPaging);
    limitGiven = cursorPaging.limit !== undefined && cursorPaging.limit !== null;
    limit = intIn(cursorPaging.limit, 'query.cursorPaging.limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
    if (cursorPaging.cursor !== undefined && cursorPaging.cursor !== null && cursorPaging.cursor !== '') {
      if (typeof cursorPaging.cursor !== 'string') bad('query.cursorPaging.cursor', 'must be a string');
      cursor = cursorPaging.cursor;
    }
  } else if (query.paging !== undefined && query.paging !== null) {
    if (!isObject(query.paging)) bad('query.paging', 'must be an object', query.paging);
    limitGiven = query.paging.limit !== undefined && query.paging.limit !== null;
    limit = intIn(query.paging.limit, 'query.paging.limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
    offset = intIn(query.paging.offset, 'query.paging.offset', 0, MAX_OFFSET, 0);
  }
  return {
    collectionId,
    filter: query.filter,
    sort: parseSort(query.sort),
    fields: parseFields(query.fields),
    limit,
    offset,
    cursorMode:
      (cursorPaging !== undefined && cursorPaging !== null) ||
      (options.cursorByDefault === true && (query.paging === undefined || query.paging === null)),
    cursor,
    limitGiven,
    returnTotalCount: optionalBool(request.returnTotalCount, 'returnTotalCount'),
    consistentRead: optionalBool(request.consistentRead, 'consistentRead'),
  };
}

export function parseCountRequest(request: Json): CountSpec {
  return {
    collectionId: requireCollectionIdString(request.collectionId),
    filter: request.filter,
    consistentRead: optionalBool(request.consistentRead, 'consistentRead'),
  };
}

export interface IncludeRequest {
  fieldKey: string;
  limit: number;
  filter: unknown;
}

/** includeReferencedItems: [{fieldKey, limit?, filter?}] */
export function parseIncludes(raw: unknown): IncludeRequest[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > 20)
    bad('includeReferencedItems', 'must be an array of at most 20 {fieldKey, limit, filter}', raw);
  return raw.map((inc, i) => {
    const at = `includeReferencedItems[${i}]`;
    if (!isObject(inc) || typeof inc.fieldKey !== 'string' || inc.fieldKey.length === 0)
      bad(`${at}.fieldKey`, 'must be a field key', inc);
    return {
      fieldKey: inc.fieldKey,
      limit: intIn(inc.limit, `${at}.limit`, 1, MAX_LIMIT, DEFAULT_LIMIT),
      filter: inc.filter,
    };
  });
}
