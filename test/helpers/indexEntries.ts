/**
 * What an index's GSI partition holds, read straight from the table, next to what it should hold:
 * one entry per item of the collection's current generation, keyed by indexSk of the item as stored.
 */
import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { IndexRecord } from '../../lambda/model/collection';
import type { Db } from '../../lambda/store/client';
import { getCollection } from '../../lambda/store/collections';
import { indexPk, indexSk } from '../../lambda/store/indexKeys';
import { fromStored } from '../../lambda/store/items';
import { itemsPk } from '../../lambda/store/keys';
import { ATTR, gsiName, gsiPk, gsiSk } from '../../lambda/store/schema';

type AttrMap = Record<string, AttributeValue>;

async function queryAll(db: Db, input: ConstructorParameters<typeof QueryCommand>[0]): Promise<AttrMap[]> {
  const out: AttrMap[] = [];
  let start: AttrMap | undefined;
  do {
    const page = await db.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export interface IndexEntryCheck {
  readonly index: IndexRecord;
  /** `_id` -> slot sort key, as the GSI partition holds them (an `_id` listed twice is kept twice) */
  readonly entries: [string, string][];
  /** `_id` -> slot sort key computed from the stored items of the current generation */
  readonly expected: [string, string][];
}

/** For every index of the collection: its GSI partition's entries and the entries its items call for. */
export async function indexEntryChecks(
  db: Db,
  tenant: string,
  collectionId: string,
): Promise<IndexEntryCheck[]> {
  const found = await getCollection(db, tenant, collectionId);
  if (!found) throw new Error(`no collection ${collectionId}`);
  const { record } = found;
  const stored = await queryAll(db, {
    TableName: db.tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': ATTR.pk },
    ExpressionAttributeValues: { ':pk': { S: itemsPk(tenant, collectionId, record.generation) } },
    ConsistentRead: true,
  });
  const items = stored.map((s) => fromStored(s));
  const scope = { tenant, collectionId, generation: record.generation };
  const checks: IndexEntryCheck[] = [];
  for (const index of record.indexes ?? []) {
    const gsiItems = await queryAll(db, {
      TableName: db.tableName,
      IndexName: gsiName(index.slot),
      KeyConditionExpression: '#gp = :gp',
      ExpressionAttributeNames: { '#gp': gsiPk(index.slot) },
      ExpressionAttributeValues: { ':gp': { S: indexPk(scope, index) } },
    });
    const byId = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    checks.push({
      index,
      entries: gsiItems.map((g): [string, string] => [g[ATTR.sk]!.S!, g[gsiSk(index.slot)]!.S!]).sort(byId),
      expected: items.map((item): [string, string] => [String(item._id), indexSk(index, item)]).sort(byId),
    });
  }
  return checks;
}
