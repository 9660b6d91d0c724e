/** Retries and per-item failure reporting in the store, with DynamoDB mocked (no network). */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { toAttrMap } from '../../lambda/store/codec';
import { getItems } from '../../lambda/store/items';
import { purgePartition } from '../../lambda/store/purge';
import { createTestAdaptor, testDeps } from '../helpers/adaptor';

const ddb = mockClient(DynamoDBClient);
const deps = testDeps({ TABLE_NAME: 'unit-table', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
const db = deps.db;
const record = (id: string) => toAttrMap({ pk: 'P', sk: id, d: { n: id } });

beforeEach(() => ddb.reset());

describe('getItems', () => {
  it('uses one GetItem for a single id', async () => {
    ddb.on(GetItemCommand).resolves({ Item: record('a') });
    const out = await getItems(db, 'P', ['a'], true);
    expect(out.get('a')).toEqual({ _id: 'a', n: 'a' });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      ConsistentRead: true,
      Key: { pk: { S: 'P' }, sk: { S: 'a' } },
    });
  });

  it('chunks ids by 100 and retries unprocessed keys until all are read', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `id${i}`);
    let unprocessedOnce = true;
    ddb.on(BatchGetItemCommand).callsFake((input) => {
      const keys = input.RequestItems['unit-table'].Keys as { sk: { S: string } }[];
      expect(keys.length).toBeLessThanOrEqual(100);
      if (unprocessedOnce && keys.length === 100) {
        unprocessedOnce = false;
        return {
          Responses: { 'unit-table': keys.slice(0, 60).map((k) => record(k.sk.S)) },
          UnprocessedKeys: { 'unit-table': { Keys: keys.slice(60) } },
        };
      }
      return { Responses: { 'unit-table': keys.map((k) => record(k.sk.S)) } };
    });
    const out = await getItems(db, 'P', [...ids, 'id0'], false);
    expect(out.size).toBe(250);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(4); // 3 chunks + 1 retry
  });

  it('gives up loudly instead of returning a partial answer when keys stay unprocessed', async () => {
    ddb.on(BatchGetItemCommand).callsFake((input) => ({
      Responses: { 'unit-table': [] },
      UnprocessedKeys: { 'unit-table': { Keys: input.RequestItems['unit-table'].Keys } },
    }));
    jest.spyOn(Math, 'random').mockReturnValue(0); // no real backoff waits
    await expect(getItems(db, 'P', ['a', 'b'], false)).rejects.toThrow(/unprocessed/);
    jest.restoreAllMocks();
  });
});

describe('purgePartition', () => {
  it('deletes in batches of 25, retries UnprocessedItems and removes the marker last', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => toAttrMap({ pk: 'I#t#c#g', sk: `k${i}` }));
    // the items partition holds 60 keys, the references partition none
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': { S: 'I#t#c#g' } } } as never)
      .resolves({ Items: keys });
    let first = true;
    ddb.on(BatchWriteItemCommand).callsFake((input) => {
      const reqs = input.RequestItems['unit-table'];
      expect(reqs.length).toBeLessThanOrEqual(25);
      if (first) {
        first = false;
        return { UnprocessedItems: { 'unit-table': reqs.slice(0, 5) } };
      }
      return {};
    });
    ddb.on(DeleteItemCommand).resolves({});
    const result = await purgePartition(db, { tenant: 't', collectionId: 'c', generation: 'g' });
    expect(result).toEqual({ deleted: 60, done: true });
    const deleted = ddb
      .commandCalls(BatchWriteItemCommand)
      .flatMap((c) => c.args[0].input.RequestItems!['unit-table']!.map((r) => r.DeleteRequest!.Key!.sk!.S));
    expect(new Set(deleted).size).toBe(60);
    expect(deleted).toHaveLength(65); // 5 retried
    expect(ddb).toHaveReceivedCommandWith(DeleteItemCommand, {
      Key: { pk: { S: 'PURGE' }, sk: { S: 't#c#g' } },
    });
  });

  it('keeps the marker when a batch keeps failing, so the sweep can retry', async () => {
    ddb.on(QueryCommand).resolves({ Items: [toAttrMap({ pk: 'x', sk: 'y' })] });
    ddb
      .on(BatchWriteItemCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(purgePartition(db, { tenant: 't', collectionId: 'c', generation: 'g' })).rejects.toThrow();
    expect(ddb).not.toHaveReceivedCommand(DeleteItemCommand);
  });
});

describe('per-item failures', () => {
  const meta = toAttrMap({
    pk: 'T#x',
    sk: 'C#things',
    v: 1,
    m: { id: 'things', fields: [], pagingMode: 'OFFSET', generation: 'g', createdAt: '', updatedAt: '' },
  });

  it('reports an item DynamoDB keeps throttling in its own slot and stores the others', async () => {
    const a = createTestAdaptor({ deps });
    ddb.on(GetItemCommand).resolves({ Item: meta });
    ddb.on(PutItemCommand).resolves({});
    ddb
      .on(PutItemCommand, { Item: { sk: { S: 'hot' } } } as never)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    const res = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [{ _id: 'ok1' }, { _id: 'hot' }, { _id: 'ok2' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.results[0].item._id).toBe('ok1');
    expect(res.body.results[1]).toEqual({
      error: { errorCode: 'THROTTLED', errorMessage: expect.stringMatching(/retry/), data: {} },
    });
    expect(res.body.results[2].item._id).toBe('ok2');
  });

  it('never leaks an unexpected error into a result', async () => {
    const a = createTestAdaptor({ deps });
    ddb.on(GetItemCommand).resolves({ Item: meta });
    ddb.on(PutItemCommand).rejects(new Error('socket hang up at 10.1.2.3'));
    const res = await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: 'x' }] });
    expect(res.body.results[0].error.errorCode).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toMatch(/10\.1\.2\.3|socket/);
  });
});
