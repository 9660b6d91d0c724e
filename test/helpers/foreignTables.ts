/**
 * Tables created the way another program would: their own key schema and indexes, items written with
 * the plain SDK (sets, binary, big numbers, ISO date strings, missing attributes), no adaptor code.
 * The tests' own data lives here; the tables themselves come from bin/local/foreignTables.ts.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { STATUSES, type RawItem } from '../../bin/local/foreignTables';

// Creating and filling them, and the orders table, are shared with `npm run sample-table`.
export {
  createForeignTable,
  ordersTable,
  putForeignItems,
  STATUSES,
  type RawItem,
} from '../../bin/local/foreignTables';

/** `count` orders over 5 customers; every 7th lacks `note`, values of every DynamoDB type. */
export function orderItems(count: number): RawItem[] {
  return Array.from({ length: count }, (_, i) => {
    const item: RawItem = {
      customer: { S: `cust#${i % 5}` },
      orderNo: { N: String(1000 + i) },
      status: { S: STATUSES[i % 3]! },
      placedAt: { S: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().replace('.000Z', 'Z') },
      total: { N: String((i * 37) % 500) },
      paid: { BOOL: i % 2 === 0 },
      tags: { SS: i % 2 ? ['a', 'b'] : ['c'] },
      scores: { NS: ['1', '2.5'] },
      blob: { B: Buffer.from([i % 256, 1, 2]) },
      big: { N: '12345678901234567890' },
      lines: { L: [{ M: { sku: { S: 'x' }, qty: { N: '2' } } }] },
      meta: { M: { source: { S: 'erp' } } },
    };
    if (i % 7 !== 0) item.note = { S: `note ${i}` };
    return item;
  });
}

/** Events: a string partition key named `_id`, a GSI on type/n; each item carries ~300 bytes. */
export function eventsTable(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: '_id', AttributeType: 'S' },
      { AttributeName: 'type', AttributeType: 'S' },
      { AttributeName: 'n', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: '_id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byType',
        KeySchema: [
          { AttributeName: 'type', KeyType: 'HASH' },
          { AttributeName: 'n', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export const EVENT_TYPES = 20;

/** `count` events: type t0..t19 round robin, n = index, `level` 0..99; padded to several Scan pages. */
export function eventItems(count: number): RawItem[] {
  const padding = 'x'.repeat(300);
  return Array.from({ length: count }, (_, i) => ({
    _id: { S: `ev-${String(i).padStart(6, '0')}` },
    type: { S: `t${i % EVENT_TYPES}` },
    n: { N: String(i) },
    level: { N: String(i % 100) },
    payload: { S: padding },
  }));
}
