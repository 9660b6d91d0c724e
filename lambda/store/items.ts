/**
 * Item I/O. One conditional write per item (1 write unit for a small item, no transactions), reads by
 * key with GetItem / BatchGetItem (chunks of 100, unprocessed keys retried with backoff).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ItemAlreadyExistsError } from '../errors';
import type { Db } from './client';
import { batchGetAll } from './batchGet';
import { deepEqual } from '../query/values';
import { fromAttrMap, toAttr, toAttrMap, type AttrMap } from './codec';
import { SYSTEM_ATTR } from './layout';
import { ATTR } from './schema';
import { attachCreationToken, CREATION_TOKEN_ATTR, newCreationToken } from './creationToken';
import { deleteExisting, whenExists } from './existingItem';
import { setOwn } from './values';

export type WixItem = Record<string, unknown>;
export type StoredRecord = Record<string, unknown>;

/** The stored form of an item whose values already passed toStorable. */
export function toRecord(pk: string, item: WixItem): StoredRecord {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === '_id' || k === '_owner' || k === '_createdDate' || k === '_updatedDate') continue;
    setOwn(data, k, v);
  }
  const record: StoredRecord = { [ATTR.pk]: pk, [ATTR.sk]: item._id, [ATTR.data]: data };
  if (item._owner !== undefined && item._owner !== null) record[SYSTEM_ATTR._owner] = item._owner;
  if (item._createdDate !== undefined) record[SYSTEM_ATTR._createdDate] = item._createdDate;
  if (item._updatedDate !== undefined) record[SYSTEM_ATTR._updatedDate] = item._updatedDate;
  return record;
}

export function itemKey(pk: string, id: unknown): AttrMap {
  return toAttrMap({ [ATTR.pk]: pk, [ATTR.sk]: id });
}

/** The Wix item held by a stored DynamoDB item. */
export function fromStored(item: AttrMap | undefined): WixItem {
  return fromRecord(item ? fromAttrMap(item) : {});
}

/** The Wix item held by a stored record. */
export function fromRecord(record: StoredRecord): WixItem {
  const item: WixItem = { _id: record[ATTR.sk] };
  const data = (record[ATTR.data] ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(data)) setOwn(item, k, v);
  if (record[SYSTEM_ATTR._owner] !== undefined) item._owner = record[SYSTEM_ATTR._owner];
  if (record[SYSTEM_ATTR._createdDate] !== undefined) item._createdDate = record[SYSTEM_ATTR._createdDate];
  if (record[SYSTEM_ATTR._updatedDate] !== undefined) item._updatedDate = record[SYSTEM_ATTR._updatedDate];
  attachCreationToken(item, record[CREATION_TOKEN_ATTR]);
  return item;
}

/** The stored records are the same write (same content, same system fields). */
function sameRecord(a: AttrMap, b: AttrMap): boolean {
  return deepEqual(fromRecord(fromAttrMap(a)), fromRecord(fromAttrMap(b)));
}

/**
 * Writes a new item; ItemAlreadyExistsError when the `_id` is taken (checked atomically by DynamoDB).
 * If the connection dropped after DynamoDB applied our write, the SDK's retry finds our own item:
 * DynamoDB returns what blocked the condition, and when that is exactly this write it is a success.
 */
export async function putNewItem(
  db: Db,
  pk: string,
  item: WixItem,
  indexKeys: Record<string, string> = {},
): Promise<void> {
  // Index slot keys ride in the same write, so an item is never visible without its index entries.
  // A fresh creation token marks this life of the `_id` (store/creationToken.ts).
  const record = toAttrMap({
    ...toRecord(pk, item),
    ...indexKeys,
    [CREATION_TOKEN_ATTR]: newCreationToken(),
  });
  try {
    await db.client.send(
      new PutItemCommand({
        TableName: db.tableName,
        Item: record,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      if (err.Item && sameRecord(err.Item, record)) return;
      throw new ItemAlreadyExistsError(String(item._id));
    }
    throw err;
  }
}

/** How an update keeps the item's index entries right (see service/indexWrites.ts). */
export interface IndexUpdate {
  /** slot key attributes to set */
  readonly set: Record<string, string>;
  /** slot key attributes no index holds any more */
  readonly remove: readonly string[];
  /** When the keys were computed from a stored `_createdDate`: the write holds only if it is still that item. */
  readonly createdDate?: unknown;
  /** Attributes the stored item must still hold (null: must not hold), e.g. its unique-value claims. */
  readonly expect?: Readonly<Record<string, string | null>>;
}

/** The UpdateItem input (without table) that replaces an item's user fields: see replaceItem. */
export function replaceItemUpdate(
  pk: string,
  item: WixItem,
  updatedDate: { $date: string },
  index: IndexUpdate = { set: {}, remove: [] },
  createdDate?: { $date: string },
): {
  Key: AttrMap;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: AttrMap;
} {
  const data = toRecord(pk, item)[ATTR.data];
  const names: Record<string, string> = { '#pk': ATTR.pk, '#d': ATTR.data, '#u': SYSTEM_ATTR._updatedDate };
  const values: AttrMap = { ':d': toAttr(data), ':u': toAttr(updatedDate) };
  const sets = ['#d = :d', '#u = :u'];
  if (createdDate !== undefined) {
    names['#nc'] = SYSTEM_ATTR._createdDate;
    values[':nc'] = toAttr(createdDate);
    sets.push('#nc = :nc');
  }
  Object.entries(index.set).forEach(([attr, value], i) => {
    names[`#x${i}`] = attr;
    values[`:x${i}`] = toAttr(value);
    sets.push(`#x${i} = :x${i}`);
  });
  const removes = index.remove.map((attr, i) => {
    names[`#r${i}`] = attr;
    return `#r${i}`;
  });
  let condition = 'attribute_exists(#pk)';
  if (index.createdDate !== undefined) {
    names['#c'] = SYSTEM_ATTR._createdDate;
    values[':c'] = toAttr(index.createdDate);
    condition += ' AND #c = :c';
  }
  Object.entries(index.expect ?? {}).forEach(([attr, value], i) => {
    names[`#e${i}`] = attr;
    if (value === null) condition += ` AND attribute_not_exists(#e${i})`;
    else {
      values[`:e${i}`] = toAttr(value);
      condition += ` AND #e${i} = :e${i}`;
    }
  });
  return {
    Key: itemKey(pk, item._id),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Replaces an existing item's user fields and bumps `_updatedDate`, keeping `_createdDate` and
 * `_owner`: one UpdateItem, no read. Index slot keys are set (and stale ones removed) in the same
 * write. Returns the item as stored.
 */
export async function replaceItem(
  db: Db,
  pk: string,
  item: WixItem,
  updatedDate: { $date: string },
  index: IndexUpdate = { set: {}, remove: [] },
  /** A new `_createdDate` (legacy callers may set it); without it the stored one stays. */
  createdDate?: { $date: string },
): Promise<WixItem> {
  return whenExists(String(item._id), async () => {
    const out = await db.client.send(
      new UpdateItemCommand({
        TableName: db.tableName,
        ...replaceItemUpdate(pk, item, updatedDate, index, createdDate),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromStored(out.Attributes);
  });
}

/** Deletes an item and returns it as it was; ItemNotFoundError when absent. */
export async function deleteItem(db: Db, pk: string, id: string): Promise<WixItem> {
  const before = await deleteExisting(db, { table: db.tableName, key: itemKey(pk, id), pkName: ATTR.pk, id });
  return fromStored(before);
}

export async function getItem(
  db: Db,
  pk: string,
  id: string,
  consistent: boolean,
): Promise<WixItem | undefined> {
  const out = await db.client.send(
    new GetItemCommand({ TableName: db.tableName, Key: itemKey(pk, id), ConsistentRead: consistent }),
  );
  return out.Item ? fromStored(out.Item) : undefined;
}

/**
 * Reads items by id: one GetItem for a single id, BatchGetItem in chunks of 100 otherwise, unprocessed
 * keys retried with backoff. Returns a map id -> item for the ids that exist.
 */
export async function getItems(
  db: Db,
  pk: string,
  ids: readonly string[],
  consistent: boolean,
): Promise<Map<string, WixItem>> {
  // ids DynamoDB could not hold as a key cannot exist (and asking for them would be refused)
  const unique = [...new Set(ids)].filter((id) => id.length > 0 && Buffer.byteLength(id, 'utf8') <= 1024);
  const found = new Map<string, WixItem>();
  if (unique.length === 0) return found;
  if (unique.length === 1) {
    const item = await getItem(db, pk, unique[0]!, consistent);
    if (item) found.set(unique[0]!, item);
    return found;
  }
  const keys = unique.map((id) => itemKey(pk, id));
  await batchGetAll(db, keys, {
    table: db.tableName,
    consistent,
    keep: (stored) => {
      const item = fromStored(stored);
      found.set(String(item._id), item);
    },
  });
  return found;
}
