/**
 * What an attached table looks like: its key schema and indexes (DescribeTable) and a bounded sample
 * of its items (one Scan page), the raw material for the collection record. Read-only calls only.
 */
import {
  DescribeTableCommand,
  ResourceNotFoundException,
  ScanCommand,
  type KeySchemaElement,
  type AttributeDefinition,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { CollectionNotFoundError } from '../../errors';
import type { IndexLayout, KeyAttribute } from '../../model/attachedLayout';
import type { Db } from '../client';
import type { AttrMap } from '../codec';

export interface TableShape {
  readonly table: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute | undefined;
  readonly indexes: readonly IndexLayout[];
  readonly approximateItems: number;
}

/** How many items inference looks at: enough to see the usual attributes, one small Scan page. */
export const SAMPLE_SIZE = 200;

function keyOf(
  schema: readonly KeySchemaElement[] | undefined,
  defs: readonly AttributeDefinition[],
  role: 'HASH' | 'RANGE',
): KeyAttribute | undefined {
  const name = schema?.find((k) => k.KeyType === role)?.AttributeName;
  if (name === undefined) return undefined;
  const type = defs.find((d) => d.AttributeName === name)?.AttributeType;
  if (type !== 'S' && type !== 'N' && type !== 'B') return undefined;
  return { name, type };
}

export function shapeOf(desc: TableDescription): TableShape {
  const defs = desc.AttributeDefinitions ?? [];
  const partitionKey = keyOf(desc.KeySchema, defs, 'HASH');
  if (!partitionKey) throw new Error(`table ${desc.TableName} has no readable partition key`);
  const indexes: IndexLayout[] = [];
  for (const [kind, list] of [
    ['GSI', desc.GlobalSecondaryIndexes ?? []],
    ['LSI', desc.LocalSecondaryIndexes ?? []],
  ] as const) {
    for (const ix of list) {
      const pk = keyOf(ix.KeySchema, defs, 'HASH');
      // An index still being built cannot serve reads yet.
      const status = 'IndexStatus' in ix ? ix.IndexStatus : undefined;
      if (!ix.IndexName || !pk || (status !== undefined && status !== 'ACTIVE')) continue;
      indexes.push({
        name: ix.IndexName,
        kind,
        partitionKey: pk,
        sortKey: keyOf(ix.KeySchema, defs, 'RANGE'),
        projectsAll: ix.Projection?.ProjectionType === 'ALL',
      });
    }
  }
  return {
    table: desc.TableName ?? '',
    partitionKey,
    sortKey: keyOf(desc.KeySchema, defs, 'RANGE'),
    indexes,
    approximateItems: Number(desc.ItemCount ?? 0),
  };
}

/** DescribeTable; a missing table is a COLLECTION_NOT_FOUND for the collection it was to serve. */
export async function describeTable(db: Db, table: string, collectionId: string): Promise<TableShape> {
  try {
    const out = await db.client.send(new DescribeTableCommand({ TableName: table }));
    return shapeOf(out.Table ?? {});
  } catch (err) {
    if (err instanceof ResourceNotFoundException) throw new CollectionNotFoundError(collectionId);
    throw err;
  }
}

/** Up to SAMPLE_SIZE items, as DynamoDB holds them (types intact), from one Scan request. */
export async function sampleItems(db: Db, table: string): Promise<AttrMap[]> {
  const out = await db.client.send(new ScanCommand({ TableName: table, Limit: SAMPLE_SIZE }));
  return out.Items ?? [];
}
