/**
 * `npm run sample-table`: creates a DynamoDB table the way another program would (its own composite
 * key, a GSI and an LSI, items with sets, binary, big numbers and ISO date strings) in the embedded
 * DynamoDB Local that `npm start` uses (DATA_DIR/dynamodb), or at DYNAMODB_ENDPOINT when set. Run it
 * before `npm start` (both use the same database files), then attach the table with ATTACH_TABLES.
 * An existing table is left as it is.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../lambda/config';
import { createDb } from '../lambda/store/client';
import { startDynamoLocal, type DynamoLocal } from './local/dynamodbLocal';
import {
  createForeignTable,
  ordersTable,
  putForeignItems,
  STATUSES,
  type RawItem,
} from './local/foreignTables';

const TABLE = process.env.SAMPLE_TABLE || 'sample-orders';
const ORDERS = 500;

function order(i: number): RawItem {
  const item: RawItem = {
    customer: { S: `customer-${i % 20}` },
    orderNo: { N: String(1000 + i) },
    status: { S: STATUSES[i % 3]! },
    placedAt: { S: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString() },
    total: { N: (((i * 733) % 50_000) / 100).toFixed(2) },
    paid: { BOOL: i % 3 !== 0 },
    tags: { SS: i % 2 ? ['gift', 'express'] : ['standard'] },
    barcode: { B: Buffer.from(`order-${i}`) },
    trackingId: { N: `9${String(i).padStart(19, '0')}` },
    lines: { L: [{ M: { sku: { S: `sku-${i % 37}` }, qty: { N: String(1 + (i % 4)) } } }] },
  };
  if (i % 5 !== 0) item.note = { S: `order ${i}` };
  return item;
}

async function main(): Promise<void> {
  // Creating a table with indexes can take DynamoDB Local several seconds on a busy machine: a
  // request timeout would retry the create and fail on the table the first attempt made.
  const env: Record<string, string | undefined> = {
    ...process.env,
    AWS_REGION: process.env.AWS_REGION || 'local',
    DYNAMODB_TIMEOUT_MS: process.env.DYNAMODB_TIMEOUT_MS || '60000',
  };
  let dynamo: DynamoLocal | undefined;
  if (!env.DYNAMODB_ENDPOINT) {
    const dbDir = path.join(path.resolve(env.DATA_DIR || '.data'), 'dynamodb');
    mkdirSync(dbDir, { recursive: true });
    dynamo = await startDynamoLocal({ dataDir: dbDir });
    env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  }
  try {
    const { client } = createDb(loadConfig(env));
    try {
      await client.send(new DescribeTableCommand({ TableName: TABLE }));
      process.stdout.write(`table ${TABLE} already exists; left as it is\n`);
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      await createForeignTable(client, ordersTable(TABLE));
      await putForeignItems(
        client,
        TABLE,
        Array.from({ length: ORDERS }, (_, i) => order(i)),
        1, // in order, one batch at a time, as this script has always written them
      );
      process.stdout.write(`created table ${TABLE} with ${ORDERS} orders\n`);
    }
    const entry = JSON.stringify([{ table: TABLE, collectionId: 'orders', tenants: ['*'] }]);
    process.stdout.write(
      [
        '',
        'Attach it and start the adaptor:',
        `  ATTACH_TABLES='${entry}' npm start`,
        'Then, in another terminal:',
        `  npm run wix -- collections/get '{"collectionIds":["orders"]}'`,
        `  npm run wix -- items/query '{"collectionId":"orders","query":{"filter":{"customer":"customer-3"},"sort":[{"fieldName":"orderNo","order":"DESC"}],"paging":{"limit":5}}}'`,
        `  npm run wix -- items/query '{"collectionId":"orders","query":{"filter":{"status":"paid","total":{"$gt":400}}}}'`,
        `  npm run wix -- data/find '{"collectionName":"orders","filter":{"note":{"$contains":"7"}},"limit":3}'`,
        '',
      ].join('\n'),
    );
  } finally {
    await dynamo?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
