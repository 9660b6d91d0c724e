/**
 * The handler pipeline as a Lambda runs it (fake Lambda context, real DynamoDB Local): structured
 * log lines with the Lambda and request fields, EMF metric lines CloudWatch can read, the cold
 * start flag. Logging and EMF are switched on for this file only (jest turns them off elsewhere).
 */
import type { EdgeHandler } from '../../lambda/protocol/lambda';
import type { DbStats } from '../../lambda/store/client';

type Line = Record<string, any>;

let handler: EdgeHandler;
let localContext: typeof import('../../bin/local/lambdaContext').localContext;
let secretKey: string;
let lines: Line[] = [];
let stats: DbStats;
let totalRequests: (s: DbStats) => number;

async function invoke(path: string, body: Record<string, unknown>, functionName = 'collectionsGet') {
  const out = process.stdout.write;
  const err = process.stderr.write;
  lines = [];
  const capture = ((chunk: unknown) => {
    for (const text of String(chunk).split('\n').filter(Boolean)) {
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        // not a JSON line
      }
    }
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    const event = {
      rawPath: path,
      body: JSON.stringify({
        requestContext: { settings: { secretKey }, instanceId: 'tenant-pipeline', role: 'OWNER' },
        ...body,
      }),
      requestContext: { http: { method: 'POST', path } },
    };
    return await handler(event, { ...localContext(functionName, 29_000), functionName });
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const emf = () => lines.filter((l) => l._aws !== undefined);
const requestLine = () => lines.find((l) => l.message === 'request');

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.LOG_LEVEL = 'INFO';
  // What Lambda sets in an on-demand execution environment; Powertools reports cold starts only then.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  const { edgeHandler } = await import('../../lambda/protocol/lambda');
  const { operation } = await import('../../lambda/handlers/collectionsGet');
  const { testDeps } = await import('../helpers/adaptor');
  ({ localContext } = await import('../../bin/local/lambdaContext'));
  const deps = testDeps({
    WIX_SECRET_KEY: 'a-secret-for-the-pipeline-test',
    // the master secret opens exactly this tenant
    WIX_SECRET_KEY_TENANT: 'tenant-pipeline',
  });
  secretKey = deps.config.wixSecretKey!;
  stats = deps.db.stats;
  ({ totalRequests } = await import('../../lambda/store/client'));
  handler = edgeHandler('collectionsGet', operation, async () => deps);
});

afterAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.LOG_LEVEL = 'silent';
  delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
});

describe('the Lambda pipeline', () => {
  it('logs one request line with the Lambda context, the tenant, the operation and what it cost', async () => {
    const readBefore = stats.readUnits;
    const requestsBefore = totalRequests(stats);
    const res = await invoke('/schemas/list', {});
    expect(res.statusCode).toBe(200);
    expect(requestLine()).toMatchObject({
      level: 'INFO',
      service: 'wix-adaptor',
      cold_start: true,
      function_name: 'collectionsGet',
      function_request_id: expect.any(String),
      requestId: expect.any(String),
      tenant: 'tenant-pipeline',
      operation: 'collectionsGet',
      status: 200,
      dynamodbRequests: expect.any(Number),
      itemsRead: expect.any(Number),
      readCapacity: expect.any(Number),
      writeCapacity: 0,
    });
    expect(emf().find((l) => 'ColdStart' in l)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'WixAdaptor', Dimensions: [['service', 'function_name']] }] },
      function_name: 'collectionsGet',
      ColdStart: 1,
    });
    expect(requestLine()!.dynamodbRequests).toBeGreaterThan(0);
    // The per-request count is what the process-wide DynamoDB statistics saw for this request.
    expect(requestLine()!.readCapacity).toBe(stats.readUnits - readBefore);
    expect(requestLine()!.dynamodbRequests).toBe(totalRequests(stats) - requestsBefore);
  });

  it('prints the cold start once, then EMF request metrics by operation', async () => {
    // The first invocation of this file was the cold one.
    await invoke('/schemas/list', {});
    expect(requestLine()!.cold_start).toBe(false);
    expect(emf().some((l) => 'ColdStart' in l)).toBe(false);
    const [line] = emf();
    expect(emf()).toHaveLength(1);
    expect(line).toMatchObject({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'WixAdaptor',
            Dimensions: [['service', 'operation']],
            Metrics: expect.arrayContaining([
              { Name: 'Requests', Unit: 'Count' },
              { Name: 'Latency', Unit: 'Milliseconds' },
              { Name: 'ItemsRead', Unit: 'Count' },
              { Name: 'ReadCapacityUnits', Unit: 'Count' },
              { Name: 'WriteCapacityUnits', Unit: 'Count' },
            ]),
          },
        ],
      },
      service: 'wix-adaptor',
      operation: 'collectionsGet',
      Requests: 1,
      WriteCapacityUnits: 0,
    });
    expect(line!.ReadCapacityUnits).toBe(requestLine()!.readCapacity);
  });

  it('counts a failure by operation and error code', async () => {
    const res = await invoke('/schemas/find', { schemaIds: 'not-a-list' });
    expect(res.statusCode).toBe(400);
    const errors = emf().find((l) => 'Errors' in l);
    expect(errors).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'operation', 'errorCode']] }] },
      operation: 'collectionsGet',
      errorCode: expect.any(String),
      Errors: 1,
    });
    expect(requestLine()).toMatchObject({ status: 400, errorCode: errors!.errorCode });
  });
});
