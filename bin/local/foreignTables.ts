/**
 * Tables created the way another program would: their own key schema and indexes, items written with
 * the plain SDK, no adaptor code. `npm run sample-table` and the tests of attached tables both build
 * theirs with these, so the sample a developer attaches is the table the tests attach.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  waitUntilTableExists,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export type RawItem = Record<string, AttributeValue>;

/** Creates the table on demand billing and waits until it is active. */
export async function createForeignTable(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
): Promise<void> {
  await client.send(new CreateTableCommand({ BillingMode: 'PAY_PER_REQUEST', ...input }));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: input.TableName! });
}

/**
 * BatchWriteItem in chunks of 25, `inFlight` chunks at a time (in order when 1), unprocessed items
 * retried.
 */
export async function putForeignItems(
  client: DynamoDBClient,
  table: string,
  items: readonly RawItem[],
  inFlight = 6,
): Promise<void> {
  const chunks: RawItem[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** Orders: composite key (customer S, orderNo N), a GSI on status/placedAt and an LSI on total. */
export function ordersTable(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'customer', AttributeType: 'S' },
      { AttributeName: 'orderNo', AttributeType: 'N' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'placedAt', AttributeType: 'S' },
      { AttributeName: 'total', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'customer', KeyType: 'HASH' },
      { AttributeName: 'orderNo', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byStatus',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'placedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'byTotal',
        KeySchema: [
          { AttributeName: 'customer', KeyType: 'HASH' },
          { AttributeName: 'total', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** The order statuses, round robin over the orders of both the sample and the tests. */
export const STATUSES = ['new', 'paid', 'shipped'] as const;
