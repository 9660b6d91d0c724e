/**
 * A DynamoDB that accepts connections and never answers: the function must answer the protocol's
 * 503 before its own deadline, not retry 6 x 5 s into the Lambda timeout.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { localContext } from '../../bin/local/lambdaContext';
import { signV3Request } from '../../bin/local/signer';
import { operation as queryOperation } from '../../lambda/handlers/itemsQuery';
import { RequestBudget } from '../../lambda/model/budget';
import { edgeHandler } from '../../lambda/protocol/lambda';
import { DeadlineRetryStrategy } from '../../lambda/store/deadline';
import { emptyUsage, inRequestScope } from '../../lambda/store/requestScope';
import { TEST_APP_ID, testDeps } from '../helpers/adaptor';
import { wixKeys } from '../helpers/keys';

const SECRET = 'a-legacy-secret-key-for-the-deadline-test';

let hung: Server;
const sockets: Socket[] = [];
let endpoint: string;

beforeAll(async () => {
  hung = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
});

const cases: [string, string, () => Promise<string>, (body: any) => void][] = [
  [
    'V3',
    '/v3/items/query',
    () =>
      signV3Request(
        { collectionId: 'cities', query: {} },
        { privateKeyPem: wixKeys().privateKeyPem, instanceId: 'tenant-deadline', appId: TEST_APP_ID },
      ),
    (body) => expect(body).toMatchObject({ errorCode: 'SERVICE_UNAVAILABLE' }),
  ],
  [
    'legacy',
    '/data/find',
    async () =>
      JSON.stringify({
        requestContext: { settings: { secretKey: SECRET }, instanceId: 'tenant-deadline', role: 'OWNER' },
        collectionName: 'cities',
        filter: {},
        sort: [],
        skip: 0,
        limit: 10,
      }),
    (body) => expect(body).toEqual({ message: expect.stringContaining('retry') }),
  ],
];

describe('a hung DynamoDB', () => {
  it.each(cases)(
    'answers %s a 503 with the protocol body before the deadline',
    async (_name, path, body, check) => {
      const deps = testDeps({
        DYNAMODB_ENDPOINT: endpoint,
        WIX_SECRET_KEY: SECRET,
        DYNAMODB_TIMEOUT_MS: '5000',
        DEADLINE_MARGIN_MS: '1000',
      });
      const handler = edgeHandler('itemsQuery', queryOperation, async () => deps);
      const event = { rawPath: path, body: await body(), requestContext: { http: { method: 'POST', path } } };
      const started = Date.now();
      // The function has 3 s left: the deadline is 2 s away, the kill 3 s.
      const res = await handler(event, localContext('itemsQuery', 3_000));
      const ms = Date.now() - started;
      expect(res.statusCode).toBe(503);
      check(JSON.parse(res.body));
      expect(ms).toBeGreaterThanOrEqual(1_900);
      expect(ms).toBeLessThan(3_000);
    },
  );
});

describe('DeadlineRetryStrategy', () => {
  const budgetEndingIn = (ms: number) =>
    new RequestBudget({ maxItemsRead: 100, maxMillis: 60_000, deadline: Date.now() + ms });
  const retry = (
    deadlineMs: number | undefined,
    errorType: 'THROTTLING' | 'TRANSIENT' | 'CLIENT_ERROR',
    count = 0,
  ) => {
    const strategy = new DeadlineRetryStrategy(6, () => 1);
    const token = { getRetryCount: () => count, getRetryDelay: () => 0, getRetryCost: () => undefined };
    const run = () => strategy.refreshRetryTokenForRetry(token, { errorType });
    if (deadlineMs === undefined) return run();
    return inRequestScope({ budget: budgetEndingIn(deadlineMs), usage: emptyUsage() }, run);
  };

  it.each([
    ['a throttled call, far from the deadline', 10_000, 'THROTTLING', 0, 500],
    ['a transient error, far from the deadline', 10_000, 'TRANSIENT', 2, 400],
    ['a call outside any request', undefined, 'TRANSIENT', 0, 100],
  ] as const)('retries %s after the backoff', async (_name, deadline, type, count, delay) => {
    const token = await retry(deadline, type, count);
    expect(token.getRetryCount()).toBe(count + 1);
    expect(token.getRetryDelay()).toBe(delay);
  });

  it.each([
    ['when the backoff would end past the deadline', 300, 'THROTTLING', 0],
    ['when the deadline has passed', -1, 'TRANSIENT', 0],
    ['a client error', 10_000, 'CLIENT_ERROR', 0],
    ['after the last attempt', 10_000, 'TRANSIENT', 5],
  ] as const)('refuses to retry %s', async (_name, deadline, type, count) => {
    await expect(retry(deadline, type, count)).rejects.toThrow(/no retry/);
  });
});
