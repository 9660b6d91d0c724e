/**
 * Collection metadata: one record per collection under the tenant's metadata partition.
 * Listing a tenant's collections is one (paged) Query; every write is conditional.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CollectionAlreadyExistsError, CollectionNotFoundError, ConflictError } from '../errors';
import type { CollectionRecord } from '../service/collectionModel';
import type { Db } from './client';
import { collectionSk, tenantMetaPk } from './keys';
import { paginate } from './paginate';
import { ATTR } from './schema';

export interface StoredCollection {
  readonly record: CollectionRecord;
  readonly version: number;
}

function fromItem(item: Record<string, unknown> | undefined): StoredCollection | undefined {
  if (!item) return undefined;
  return { record: item[ATTR.meta] as CollectionRecord, version: Number(item[ATTR.version] ?? 0) };
}

export async function getCollection(
  db: Db,
  tenant: string,
  collectionId: string,
  consistent = true,
): Promise<StoredCollection | undefined> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: { [ATTR.pk]: tenantMetaPk(tenant), [ATTR.sk]: collectionSk(collectionId) },
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
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :c)',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':pk': tenantMetaPk(tenant), ':c': 'C#' },
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

export async function createCollection(
  db: Db,
  tenant: string,
  record: CollectionRecord,
): Promise<StoredCollection> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          [ATTR.pk]: tenantMetaPk(tenant),
          [ATTR.sk]: collectionSk(record.id),
          [ATTR.meta]: record,
          [ATTR.version]: 1,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new CollectionAlreadyExistsError(record.id);
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
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          [ATTR.pk]: tenantMetaPk(tenant),
          [ATTR.sk]: collectionSk(record.id),
          [ATTR.meta]: record,
          [ATTR.version]: version,
        },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': ATTR.version },
        ExpressionAttributeValues: { ':v': expectedVersion },
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

/** Deletes the metadata record and returns what it held (so its items can be purged). */
export async function deleteCollection(
  db: Db,
  tenant: string,
  collectionId: string,
): Promise<CollectionRecord> {
  try {
    const out = await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: { [ATTR.pk]: tenantMetaPk(tenant), [ATTR.sk]: collectionSk(collectionId) },
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return (out.Attributes?.[ATTR.meta] ?? {}) as CollectionRecord;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new CollectionNotFoundError(collectionId);
    throw err;
  }
}
