/**
 * Legacy request bodies -> the protocol-neutral specs the services take (wix-legacy notes §9, §10).
 * Every shape problem is a 400 naming the legacy field (`collectionName`, `skip`, ...).
 */
import type { SortKey } from '../../query/ast';
import { requireCollectionIdString, validateCollectionId } from '../../service/collectionModel';
import { checkId, MAX_ITEMS_PER_REQUEST } from '../../service/itemRequests';
import type { CountSpec, QuerySpec } from '../../service/query';
import type { Json } from '../operation';
import { MAX_LIMIT, MAX_OFFSET } from '../v3/queryRequest';
import { translateFilter } from './filter';
import { isObject, invalidField as bad } from '../../shape';

/** Page size when a find names none (Wix's default, §9). */
export const DEFAULT_LIMIT = 50;
/** The largest page: what schemas advertise as `maxPageSize`; larger requests are clamped (§9). */
export const MAX_PAGE_SIZE = MAX_LIMIT;
export const MAX_SORT_KEYS = 32;

export function collectionName(request: Json): string {
  return requireCollectionIdString(request.collectionName, 'collectionName');
}

function optionalBool(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') bad(path, 'must be true or false', v);
  return v;
}

function intIn(v: unknown, path: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    bad(path, `must be an integer from ${min} to ${max}`, v);
  return v;
}

/** `[{fieldName, direction}]`; missing, `""`, `null` or `[]` = no order; direction asc/desc, any case (§9). */
export function parseLegacySort(raw: unknown, path = 'sort'): SortKey[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw) || raw.length > MAX_SORT_KEYS)
    bad(path, `must be an array of at most ${MAX_SORT_KEYS} {fieldName, direction}`, raw);
  return raw.map((s, i) => {
    if (
      !isObject(s) ||
      typeof s.fieldName !== 'string' ||
      s.fieldName.length === 0 ||
      s.fieldName.length > 1024
    )
      bad(`${path}[${i}].fieldName`, 'must be a non-empty string', s);
    const direction = s.direction === undefined || s.direction === null ? 'asc' : s.direction;
    const lower = typeof direction === 'string' ? direction.toLowerCase() : direction;
    if (lower !== 'asc' && lower !== 'desc')
      bad(`${path}[${i}].direction`, 'must be asc or desc', s.direction);
    return { field: s.fieldName, desc: lower === 'desc' };
  });
}

export function parseProjection(raw: unknown, path = 'projection'): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (
    !Array.isArray(raw) ||
    raw.length > 1000 ||
    raw.some((f) => typeof f !== 'string' || f.length === 0 || f.length > 1024)
  )
    bad(path, 'must be an array of field names', raw);
  return raw.length === 0 ? undefined : (raw as string[]);
}

/**
 * `/data/find`: filter (either dialect), sort, skip, limit (clamped to the advertised maxPageSize),
 * projection, and the total count unless `omitTotalCount` (§9: it must count every match).
 */
export function parseFindRequest(request: Json): QuerySpec {
  const limitRaw = request.limit;
  let limit = DEFAULT_LIMIT;
  if (limitRaw !== undefined && limitRaw !== null) {
    if (typeof limitRaw !== 'number' || !Number.isInteger(limitRaw) || limitRaw < 0)
      bad('limit', 'must be a non-negative integer', limitRaw);
    limit = Math.min(limitRaw, MAX_PAGE_SIZE);
  }
  return {
    collectionId: collectionName(request),
    filter: translateFilter(request.filter),
    sort: parseLegacySort(request.sort),
    fields: parseProjection(request.projection),
    limit,
    offset: intIn(request.skip, 'skip', 0, MAX_OFFSET, 0),
    cursorMode: false,
    cursor: undefined,
    limitGiven: true,
    returnTotalCount: optionalBool(request.omitTotalCount, 'omitTotalCount') !== true,
    consistentRead: optionalBool(request.consistentRead, 'consistentRead') ?? false,
  };
}

/** `/data/get`: one item by id, read consistently (the CMS reads an item right after writing it). */
export function parseGetRequest(request: Json): QuerySpec & { itemId: string } {
  const itemId = checkId(request.itemId, 'itemId');
  return {
    itemId,
    collectionId: collectionName(request),
    filter: { _id: { $eq: itemId } },
    sort: [],
    fields: parseProjection(request.projection),
    limit: 1,
    offset: 0,
    cursorMode: false,
    cursor: undefined,
    limitGiven: true,
    returnTotalCount: false,
    consistentRead: optionalBool(request.consistentRead, 'consistentRead') ?? true,
  };
}

export function parseCountRequest(request: Json): CountSpec {
  return {
    collectionId: collectionName(request),
    filter: translateFilter(request.filter),
    consistentRead: optionalBool(request.consistentRead, 'consistentRead') ?? false,
  };
}

function itemObject(v: unknown, path: string, requireId: boolean): Record<string, unknown> {
  if (!isObject(v)) bad(path, 'must be an object', v);
  if (v._id !== undefined || requireId) checkId(v._id, `${path}._id`);
  return v;
}

/** `{collectionName, item}` (single) or `{collectionName, items}` (bulk). */
export function parseItems(
  request: Json,
  bulk: boolean,
  requireIds: boolean,
): { collectionId: string; items: Record<string, unknown>[] } {
  const collectionId = collectionName(request);
  if (!bulk) return { collectionId, items: [itemObject(request.item, 'item', requireIds)] };
  const items = request.items;
  // Empty: refused by the service after the collection lookup (a missing collection is a 404 first).
  if (!Array.isArray(items)) bad('items', 'must be a non-empty array');
  if (items.length > MAX_ITEMS_PER_REQUEST)
    bad('items', `at most ${MAX_ITEMS_PER_REQUEST} items per request`);
  return { collectionId, items: items.map((it, i) => itemObject(it, `items[${i}]`, requireIds)) };
}

/** `{collectionName, itemId}` (single) or `{collectionName, itemIds}` (bulk). */
export function parseIds(request: Json, bulk: boolean): { collectionId: string; itemIds: string[] } {
  const collectionId = collectionName(request);
  if (!bulk) return { collectionId, itemIds: [checkId(request.itemId, 'itemId')] };
  const ids = request.itemIds;
  if (!Array.isArray(ids) || ids.length === 0) bad('itemIds', 'must be a non-empty array');
  if (ids.length > MAX_ITEMS_PER_REQUEST) bad('itemIds', `at most ${MAX_ITEMS_PER_REQUEST} ids per request`);
  return { collectionId, itemIds: ids.map((id, i) => checkId(id, `itemIds[${i}]`)) };
}

/** At most this many ids per /schemas/find (the reference adaptor allows 10; Wix sends a few). */
export const MAX_SCHEMA_IDS = 100;

export function parseSchemaIds(request: Json): string[] {
  const ids = request.schemaIds;
  if (!Array.isArray(ids) || ids.length === 0)
    bad('schemaIds', 'must be a non-empty array of collection names');
  if (ids.length > MAX_SCHEMA_IDS) bad('schemaIds', `at most ${MAX_SCHEMA_IDS} ids per request`);
  return ids.map((id, i) => requireCollectionIdString(id, `schemaIds[${i}]`));
}

/** `/schemas/create`: `{collectionName}`, a name this adaptor can create. */
export function newCollectionName(request: Json): string {
  return validateCollectionId(request.collectionName, 'collectionName');
}

/**
 * `/schemas/column/add`: `{collectionName, column: {name, type, subtype?, precision?, isPrimary?}}`
 * -> a field `{key, type}`. Legacy types (text, number, boolean, datetime, url, image, object) are
 * Wix type names in lower case; Wix's own names are accepted too. `subtype`, `precision` and
 * `isPrimary` describe SQL columns and mean nothing here (`_id` is always the key).
 */
export function parseColumn(request: Json): { collectionId: string; field: Record<string, unknown> } {
  const collectionId = collectionName(request);
  const column = request.column;
  if (!isObject(column)) bad('column', 'must be an object {name, type}', column);
  if (typeof column.name !== 'string' || column.name.length === 0)
    bad('column.name', 'must be a non-empty string', column.name);
  if (typeof column.type !== 'string' || column.type.length === 0)
    bad('column.type', 'must be a field type such as text, number, boolean, datetime or object', column.type);
  const field: Record<string, unknown> = { key: column.name, type: column.type };
  if (typeof column.displayName === 'string') field.displayName = column.displayName;
  return { collectionId, field };
}

/** `/schemas/column/remove`: `{collectionName, columnName}`. */
export function parseColumnName(request: Json): { collectionId: string; columnName: string } {
  const collectionId = collectionName(request);
  const columnName = request.columnName;
  if (typeof columnName !== 'string' || columnName.length === 0)
    bad('columnName', 'must be a non-empty string', columnName);
  return { collectionId, columnName };
}
