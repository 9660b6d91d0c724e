/**
 * The collection handlers through the real dispatch pipeline with the DynamoDB client mocked:
 * asserts the exact DynamoDB requests and the error edge, with no network.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fromAttrMap, toAttrMap } from '../../lambda/store/codec';
import { createTestAdaptor, testDeps } from '../helpers/adaptor';

const ddb = mockClient(DynamoDBClient);
const TABLE = 'unit-table';
const adaptor = createTestAdaptor({
  tenant: 'site#1',
  deps: testDeps({ TABLE_NAME: TABLE, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
});

const stored = toAttrMap({
  pk: 'T#site%231',
  sk: 'C#cities',
  v: 3,
  m: {
    id: 'cities',
    fields: [
      { key: '_id', type: 'TEXT' },
      { key: 'name', type: 'TEXT' },
    ],
    pagingMode: 'OFFSET',
    generation: 'g1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  },
});

beforeEach(() => ddb.reset());

describe('collections/get', () => {
  it('lists a tenant with one Query on its metadata partition', async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });
    const res = await adaptor.call('/v3/collections/get', {});
    expect(res.status).toBe(200);
    expect(res.body.collections.map((c: { id: string }) => c.id)).toEqual(['cities']);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :c)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': { S: 'T#site%231' }, ':c': { S: 'C#' } },
      ConsistentRead: true,
    });
  });

  it('follows LastEvaluatedKey until the listing ends', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored], LastEvaluatedKey: { pk: { S: 'x' }, sk: { S: 'y' } } })
      .resolvesOnce({
        Items: [
          toAttrMap({
            ...fromAttrMap(stored),
            sk: 'C#b',
            m: { ...(fromAttrMap(stored).m as object), id: 'b' },
          }),
        ],
      });
    const res = await adaptor.call('/v3/collections/get', { collectionIds: [] });
    expect(res.body.collections).toHaveLength(2);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({
      pk: { S: 'x' },
      sk: { S: 'y' },
    });
  });

  it('gets named collections by key and skips unknown ones', async () => {
    ddb
      .on(GetItemCommand, { Key: { pk: { S: 'T#site%231' }, sk: { S: 'C#cities' } } })
      .resolves({ Item: stored });
    ddb.on(GetItemCommand, { Key: { pk: { S: 'T#site%231' }, sk: { S: 'C#nope' } } }).resolves({});
    const res = await adaptor.call('/v3/collections/get', { collectionIds: ['cities', 'nope', 'cities'] });
    expect(res.body.collections.map((c: { id: string }) => c.id)).toEqual(['cities']);
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('rejects collectionIds that are not strings', async () => {
    const res = await adaptor.call('/v3/collections/get', { collectionIds: 'cities' });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_ERROR');
  });
});

describe('collections/create', () => {
  it('writes the metadata record conditionally', async () => {
    ddb.on(PutItemCommand).resolves({});
    const res = await adaptor.call('/v3/collections/create', {
      collection: { id: 'cities', fields: [{ key: 'name', type: 'TEXT' }] },
    });
    expect(res.status).toBe(200);
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    const item = fromAttrMap(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!) as Record<string, any>;
    expect(item.pk).toBe('T#site%231');
    expect(item.sk).toBe('C#cities');
    expect(item.v).toBe(1);
    expect(item.m.fields.map((f: { key: string }) => f.key)).toEqual([
      '_id',
      '_createdDate',
      '_updatedDate',
      '_owner',
      'name',
    ]);
  });

  it('answers 409 COLLECTION_ALREADY_EXISTS when the condition fails', async () => {
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const res = await adaptor.call('/v3/collections/create', { collection: { id: 'cities', fields: [] } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      errorCode: 'COLLECTION_ALREADY_EXISTS',
      data: { collectionId: 'cities' },
    });
  });
});

describe('collections/delete', () => {
  it('maps a missing record to 404 without writing', async () => {
    ddb.on(GetItemCommand).resolves({});
    const res = await adaptor.call('/v3/collections/delete', { collectionId: 'ghost' });
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('COLLECTION_NOT_FOUND');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('deletes the record and writes a purge marker in one transaction conditioned on the version', async () => {
    ddb.on(GetItemCommand).resolves({ Item: stored });
    ddb.on(TransactWriteItemsCommand).resolves({});
    const res = await adaptor.call('/v3/collections/delete', { collectionId: 'cities' });
    expect(res).toEqual({ status: 200, body: {} });
    const tx = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(tx[0]!.Delete).toMatchObject({
      Key: { pk: { S: 'T#site%231' }, sk: { S: 'C#cities' } },
      ConditionExpression: '#v = :v',
      ExpressionAttributeValues: { ':v': { N: '3' } },
    });
    expect(fromAttrMap(tx[1]!.Put!.Item!)).toMatchObject({
      pk: 'PURGE',
      job: { tenant: 'site#1', collectionId: 'cities', generation: 'g1' },
    });
  });

  it('re-reads and retries when the version changed concurrently', async () => {
    ddb.on(GetItemCommand).resolvesOnce({ Item: stored }).resolves({});
    ddb
      .on(TransactWriteItemsCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));
    const res = await adaptor.call('/v3/collections/delete', { collectionId: 'cities' });
    expect(res.status).toBe(404); // the concurrent writer deleted it
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
  });
});

describe('error edge', () => {
  it('turns an unexpected failure into a 500 that reveals nothing internal', async () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.1:8000 at /var/task/index.js');
    ddb.on(QueryCommand).rejects(secret);
    const res = await adaptor.call('/v3/collections/get', {});
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      errorCode: 'UNKNOWN_ERROR',
      errorMessage: 'Internal error',
      data: {},
      applicationError: { code: 'UNKNOWN_ERROR', description: 'Internal error', data: {} },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|var\/task/);
  });

  it('does no I/O when authentication fails', async () => {
    const res = await adaptor.raw('/v3/collections/get', '{"collectionIds":[]}');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('UNAUTHORIZED');
    expect(res.body.data.reason).toBe('MALFORMED_TOKEN');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 405 for non-POST, 404 for unknown paths, 413 for oversized bodies', async () => {
    expect((await adaptor.raw('/v3/collections/get', '', 'GET')).status).toBe(405);
    const unknown = await adaptor.raw('/v3/nothing/here', 'x');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errorCode).toBe('NOT_FOUND');
    const big = await adaptor.raw('/v3/collections/get', 'a'.repeat(6 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a signed payload whose data.request is not an object', async () => {
    for (const request of ['text', [1, 2], 42]) {
      const res = await adaptor.call('/v3/collections/get', request);
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('BAD_REQUEST');
    }
  });

  it('serves V3 provision without a JWT and reveals no configuration', async () => {
    const v3 = await adaptor.raw('/v3/provision', '');
    expect(v3).toEqual({
      status: 200,
      body: { type: 'dynamodb', vendor: 'aws', protocolVersion: 3, adapterVersion: 'v3' },
    });
    expect(JSON.stringify(v3.body)).not.toMatch(/unit-table|BEGIN|127\.0\.0\.1/);
  });

  it('answers legacy provision only with the secret key (none configured here: 401 {message})', async () => {
    const legacy = await adaptor.raw('/provision', '{"requestContext":{}}');
    expect(legacy.status).toBe(401);
    expect(Object.keys(legacy.body)).toEqual(['message']);
    expect(JSON.stringify(legacy.body)).not.toMatch(/unit-table|BEGIN|127\.0\.0\.1/);
    expect(ddb.calls()).toHaveLength(0);
  });
});
