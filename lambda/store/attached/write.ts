/**
 * Writes to a read-write attached table (a single string partition key that is `_id`): one
 * conditional request per item, attributes at the top level, system fields as ISO-8601 strings so
 * other software can read them. Updates SET only the attributes whose value changed, so values Wix
 * shows in another form (sets, binary, numbers beyond 2^53) and attributes Wix does not show stay
 * exactly as they were, and a concurrent writer's change to another attribute is not lost.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ItemAlreadyExistsError, ItemNotFoundError } from '../../errors';
import type { AttachedLayout } from '../../model/attachedLayout';
import { deepEqual } from '../../query/values';
import type { Db } from '../client';
import { toAttr, type AttrMap } from '../codec';
import { deleteExisting, whenExists } from '../existingItem';
import type { WixItem } from '../items';
import { isDateWrapper, setOwn } from '../values';
import { fromAttachedItem, valueOfAttribute } from './itemCodec';

/** A top-level `{$date}` is stored as its ISO string (what other software expects of a date). */
function attributeOf(value: unknown): ReturnType<typeof toAttr> {
  return toAttr(isDateWrapper(value) ? value.$date : value);
}

/** The DynamoDB item for a Wix item that already passed toStorable. */
export function toAttachedItem(item: WixItem, layout: AttachedLayout): AttrMap {
  const out: AttrMap = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === '_id' || v === undefined) continue;
    setOwn(out as Record<string, unknown>, k, attributeOf(v));
  }
  out[layout.partitionKey.name] = { S: String(item._id) };
  return out;
}

function keyOf(id: string, layout: AttachedLayout): AttrMap {
  return { [layout.partitionKey.name]: { S: id } };
}

export async function putNewAttached(db: Db, layout: AttachedLayout, item: WixItem): Promise<WixItem> {
  const stored = toAttachedItem(item, layout);
  try {
    await db.client.send(
      new PutItemCommand({
        TableName: layout.table,
        Item: stored,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': layout.partitionKey.name },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new ItemAlreadyExistsError(String(item._id));
    throw err;
  }
  return fromAttachedItem(stored, layout);
}

/**
 * Replaces the values Wix sent. `_createdDate` and `_owner` are kept as stored; `_updatedDate` is
 * stamped. An attribute is written only when the value Wix sent differs from how Wix reads the stored
 * one, so an unedited value keeps its DynamoDB type and exact form.
 */
export async function replaceAttached(
  db: Db,
  layout: AttachedLayout,
  item: WixItem,
  updatedDate: string,
): Promise<WixItem> {
  const id = String(item._id);
  const current = await db.client.send(
    new GetItemCommand({ TableName: layout.table, Key: keyOf(id, layout), ConsistentRead: true }),
  );
  if (!current.Item) throw new ItemNotFoundError(id);
  const dates = new Set(layout.dateFields);
  const names: Record<string, string> = { '#pk': layout.partitionKey.name };
  const values: AttrMap = {};
  const sets: string[] = [];
  const set = (name: string, attr: ReturnType<typeof toAttr>) => {
    const n = `#a${sets.length}`;
    const v = `:a${sets.length}`;
    names[n] = name;
    values[v] = attr;
    sets.push(`${n} = ${v}`);
  };
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined || ['_id', '_createdDate', '_updatedDate', '_owner'].includes(k)) continue;
    const before = current.Item[k];
    if (before && deepEqual(valueOfAttribute(before, dates.has(k)), v)) continue;
    set(k, attributeOf(v));
  }
  set('_updatedDate', { S: updatedDate });
  return whenExists(id, async () => {
    const out = await db.client.send(
      new UpdateItemCommand({
        TableName: layout.table,
        Key: keyOf(id, layout),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromAttachedItem(out.Attributes ?? {}, layout);
  });
}

export async function deleteAttached(db: Db, layout: AttachedLayout, id: string): Promise<WixItem> {
  const at = { table: layout.table, key: keyOf(id, layout), pkName: layout.partitionKey.name, id };
  return fromAttachedItem((await deleteExisting(db, at)) ?? {}, layout);
}
