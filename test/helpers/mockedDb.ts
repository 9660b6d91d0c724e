/** The store against a mocked DynamoDB (aws-sdk-client-mock): unit tests of exact requests, no network. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AttachedLayout } from '../../lambda/model/attachedLayout';
import { testDeps } from './adaptor';

/** A Db on table `unit-table` whose every DynamoDB call goes to `ddb`, reset before each test. */
export function mockedDb() {
  const ddb = mockClient(DynamoDBClient);
  const { db } = testDeps({ TABLE_NAME: 'unit-table', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
  beforeEach(() => ddb.reset());
  return { ddb, db };
}

/** A writable attached table `orders` whose string partition key `orderId` is the `_id`. */
export const ORDERS_LAYOUT: AttachedLayout = {
  table: 'orders',
  partitionKey: { name: 'orderId', type: 'S' },
  sortKey: undefined,
  idMode: 'attribute',
  indexes: [],
  writable: true,
  readOnlyReason: undefined,
  dateFields: [],
  approximateItems: 0,
};
