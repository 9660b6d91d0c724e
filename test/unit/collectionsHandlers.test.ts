/**
 * The collection handlers through the real dispatch pipeline with the DynamoDB client mocked:
 * asserts the exact DynamoDB requests and the error edge, with no network.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createTestAdaptor, testDeps } from '../helpers/adaptor';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'unit-table';
const adaptor = createTestAdaptor({
  tenant: 'site#1',
  deps: testDeps({ TABLE_NAME: TABLE, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
});

const stored = {
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
};

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
      ExpressionAttributeValues: { ':pk': 'T#site%231', ':c': 'C#' },
      ConsistentRead: true,
    });
  });

  it('follows LastEvaluatedKey until the listing ends', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [{ ...stored, sk: 'C#b', m: { ...stored.m, id: 'b' } }] });
    const res = await adaptor.call('/v3/collections/get', { collectionIds: [] });
    expect(res.body.collections).toHaveLength(2);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
  });

  it('gets named collections by key and skips unknown ones', async () => {
    ddb.on(GetCommand, { Key: { pk: 'T#site%231', sk: 'C#cities' } }).resolves({ Item: stored });
    ddb.on(GetCommand, { Key: { pk: 'T#site%231', sk: 'C#nope' } }).resolves({});
    const res = await adaptor.call('/v3/collections/get', { collectionIds: ['cities', 'nope', 'cities'] });
    expect(res.body.collections.map((c: { id: string }) => c.id)).toEqual(['cities']);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
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
    ddb.on(PutCommand).resolves({});
    const res = await adaptor.call('/v3/collections/create', {
      collection: { id: 'cities', fields: [{ key: 'name', type: 'TEXT' }] },
    });
    expect(res.status).toBe(200);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
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
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const res = await adaptor.call('/v3/collections/create', { collection: { id: 'cities', fields: [] } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      errorCode: 'COLLECTION_ALREADY_EXISTS',
      data: { collectionId: 'cities' },
    });
  });
});

describe('collections/delete', () => {
  it('deletes conditionally and maps a missing record to 404', async () => {
    ddb.on(DeleteCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const res = await adaptor.call('/v3/collections/delete', { collectionId: 'ghost' });
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('COLLECTION_NOT_FOUND');
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { ConditionExpression: 'attribute_exists(#pk)' });
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

  it('serves provision without a JWT and reveals no configuration', async () => {
    const v3 = await adaptor.raw('/v3/provision', '');
    expect(v3).toEqual({
      status: 200,
      body: { type: 'dynamodb', vendor: 'aws', protocolVersion: 3, adapterVersion: 'v3' },
    });
    const legacy = await adaptor.raw('/provision', '{"requestContext":{}}');
    expect(legacy.body.protocolVersion).toBe(2);
    expect(JSON.stringify(legacy.body)).not.toMatch(/unit-table|BEGIN|127\.0\.0\.1/);
  });
});
