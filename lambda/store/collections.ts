/**
 * Collection metadata: one record per collection under the tenant's metadata partition.
 * Listing a tenant's collections is one (paged) Query; every write is conditional.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { CollectionAlreadyExistsError, CollectionNotFoundError, ConflictError } from '../errors';
import type { CollectionRecord } from '../model/collection';
import type { Db } from './client';
import { fromAttrMap, toAttr, toAttrMap, type AttrMap } from './codec';
import { collectionSk, tenantMetaPk } from './keys';
import { paginate } from './paginate';
import { purgeMarkerItem, type PurgeJob } from './purge';
import { ATTR } from './schema';
import { deepEqual } from '../query/values';

export interface StoredCollection {
  readonly record: CollectionRecord;
  readonly version: number;
}

function fromItem(item: AttrMap | undefined): StoredCollection | undefined {
  if (!item) return undefined;
  const plain = fromAttrMap(item);
  return { record: plain[ATTR.meta] as CollectionRecord, version: Number(plain[ATTR.version] ?? 0) };
}

function key(tenant: string, collectionId: string): AttrMap {
  return toAttrMap({ [ATTR.pk]: tenantMetaPk(tenant), [ATTR.sk]: collectionSk(collectionId) });
}

export async function getCollection(
  db: Db,
  tenant: string,
  collectionId: string,
  consistent = true,
): Promise<StoredCollection | undefined> {
  // A name too long to be a sort key cannot have been created (and DynamoDB would refuse the key).
  if (Buffer.byteLength(collectionSk(collectionId), 'utf8') > 1024) return undefined;
  const out = await db.client.send(
    new GetItemCommand({
      TableName: db.tableName,
      Key: key(tenant, collectionId),
      ConsistentRead: consistent,
    }),
  );
  return fromItem(out.Item);
}

export async function requireCollection(
  db: Db,
  tenant: string,
  collectionId: string,
): Promise<StoredCollection> {
  const found = await getCollection(db, tenant, collectionId);
  if (!found) throw new CollectionNotFoundError(collectionId);
  return found;
}

export async function listCollections(db: Db, tenant: string): Promise<StoredCollection[]> {
  const out: StoredCollection[] = [];
  const pages = paginate(
    (startKey) =>
      db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :c)',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: toAttrMap({ ':pk': tenantMetaPk(tenant), ':c': 'C#' }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    { maxPages: 1000, maxMillis: 20_000 },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const found = fromItem(item);
      if (found) out.push(found);
    }
  }
  return out;
}

function recordItem(tenant: string, record: CollectionRecord, version: number): AttrMap {
  return { ...key(tenant, record.id), [ATTR.meta]: toAttr(record), [ATTR.version]: toAttr(version) };
}

function sameRecordItem(a: AttrMap, b: AttrMap): boolean {
  return deepEqual(fromAttrMap(a), fromAttrMap(b));
}

export async function createCollection(
  db: Db,
  tenant: string,
  record: CollectionRecord,
): Promise<StoredCollection> {
  const item = recordItem(tenant, record, 1);
  try {
    await db.client.send(
      new PutItemCommand({
        TableName: db.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      // The SDK retried a write DynamoDB had applied (the answer was lost): what blocks the retry is
      // this very record (its generation is a fresh random token), so the create succeeded.
      if (err.Item && sameRecordItem(err.Item, item)) return { record, version: 1 };
      throw new CollectionAlreadyExistsError(record.id);
    }
    throw err;
  }
  return { record, version: 1 };
}

/** Replaces the record if nobody changed it since `expectedVersion` was read. */
export async function replaceCollection(
  db: Db,
  tenant: string,
  record: CollectionRecord,
  expectedVersion: number,
): Promise<StoredCollection> {
  const version = expectedVersion + 1;
  try {
    await db.client.send(
      new PutItemCommand({
        TableName: db.tableName,
        Item: recordItem(tenant, record, version),
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': ATTR.version },
        ExpressionAttributeValues: toAttrMap({ ':v': expectedVersion }),
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      const now = await getCollection(db, tenant, record.id);
      if (!now) throw new CollectionNotFoundError(record.id);
      throw new ConflictError(`collection ${record.id} was changed concurrently; retry`, {
        collectionId: record.id,
      });
    }
    throw err;
  }
  return { record, version };
}

const MAX_ATTEMPTS = 5;

/**
 * Runs `write` (a transaction conditioned on the version just read) and re-reads on a conflict, so a
 * concurrent change is never overwritten and a concurrent delete becomes a 404.
 */
async function retireWith(
  db: Db,
  tenant: string,
  collectionId: string,
  write: (current: StoredCollection, job: PurgeJob) => TransactWriteItemsCommand,
): Promise<PurgeJob> {
  for (let attempt = 1; ; attempt++) {
    const current = await requireCollection(db, tenant, collectionId);
    const job: PurgeJob = { tenant, collectionId, generation: current.record.generation };
    try {
      await db.client.send(write(current, job));
      return job;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/**
 * Deletes the metadata record and records a purge marker for its items in one transaction, so the
 * collection vanishes at once (O(1)) and its items are never orphaned. Returns the purge job.
 */
export function deleteCollection(db: Db, tenant: string, collectionId: string, now: Date): Promise<PurgeJob> {
  return retireWith(
    db,
    tenant,
    collectionId,
    (current, job) =>
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Delete: {
              TableName: db.tableName,
              Key: key(tenant, collectionId),
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': ATTR.version },
              ExpressionAttributeValues: toAttrMap({ ':v': current.version }),
            },
          },
          { Put: { TableName: db.tableName, Item: toAttrMap(purgeMarkerItem(job, now)) } },
        ],
      }),
  );
}

/**
 * Truncate in O(1): switches the collection to a fresh generation and records a purge marker for the
 * old one, in one transaction. Readers see an empty collection from the moment it commits.
 */
export function retireGeneration(
  db: Db,
  tenant: string,
  collectionId: string,
  nextGeneration: string,
  now: Date,
): Promise<PurgeJob> {
  return retireWith(
    db,
    tenant,
    collectionId,
    (current, job) =>
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: key(tenant, collectionId),
              UpdateExpression: 'SET #m.#g = :next, #v = :nv',
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#m': ATTR.meta, '#g': 'generation', '#v': ATTR.version },
              ExpressionAttributeValues: toAttrMap({
                ':next': nextGeneration,
                ':v': current.version,
                ':nv': current.version + 1,
              }),
            },
          },
          { Put: { TableName: db.tableName, Item: toAttrMap(purgeMarkerItem(job, now)) } },
        ],
      }),
  );
}
