/**
 * The real artifacts: the app is synthesized once (local esbuild, the stack's bundling options), each
 * function's bundle is copied outside the repository and run in its own Node process with the
 * environment from the template, invoked with API Gateway HTTP API payload 2.0 events, against
 * DynamoDB Local, a Secrets Manager stand-in and a Lambda stand-in that really runs the purge bundle.
 *
 * The AWS SDK comes from the bundle: the stack bundles it (externalModules: []), and the copy has no
 * node_modules anywhere above it.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signV3Request } from '../../bin/local/signer';
import { loadConfig } from '../../lambda/config';
import { ROUTES } from '../../lambda/routes';
import { createDb } from '../../lambda/store/client';
import { itemsPk } from '../../lambda/store/keys';
import { PURGE_OPERATION } from '../../lib/adaptor-stack';
import { wixKeys } from '../helpers/keys';
import { localParameters } from './harness/environment';
import { LocalLambdas } from './harness/localLambdas';
import { jsonOf } from './harness/events';
import { HangingEndpoint } from './harness/standins';
import { synthBundles, type SynthResult } from './harness/synthBundles';

const TENANT = `bundle-${Date.now()}`;
let synth: SynthResult;
let aws: LocalLambdas;

beforeAll(async () => {
  synth = synthBundles();
  aws = await new LocalLambdas(
    synth,
    {
      dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: process.env.TABLE_NAME!,
      // The rest take the template's defaults (harness/environment.ts, shared with the bench).
      parameters: localParameters(wixKeys().publicKeyPem, {
        // The legacy master secret opens the tenant the V3 calls use, so both protocols share data.
        LegacySecretKeyTenant: TENANT,
      }),
    },
    // The purge waits PURGE_GRACE_MS (120 s) after a truncate for requests still reading the old
    // generation; that wait is tested elsewhere, here it would only stall the run.
    { [PURGE_OPERATION]: { PURGE_GRACE_MS: '0' } },
  ).start();
}, 300_000);

afterAll(async () => {
  await aws?.stop();
  synth?.cleanup();
});

const v3 = async (operation: string, p: string, request: unknown, options: { base64?: boolean } = {}) => {
  const jwt = await signV3Request(request, { privateKeyPem: wixKeys().privateKeyPem, instanceId: TENANT });
  return aws.http(operation, p, jwt, options);
};

const legacyBody = (operation: string, body: Record<string, unknown>) =>
  JSON.stringify({
    requestContext: {
      settings: { secretKey: aws.secretOf(operation, 'WIX_SECRET_KEY_ARN').value },
      instanceId: TENANT,
      installationId: 'bundle-test',
      memberId: 'bundle-member',
      role: 'OWNER',
    },
    ...body,
  });
const legacy = (operation: string, p: string, body: Record<string, unknown> = {}) =>
  aws.http(operation, p, legacyBody(operation, body), { base64: true });

/** Items left in a partition (what the purge must empty). */
async function partitionSize(job: { tenant: string; collectionId: string; generation: string }) {
  const db = createDb(loadConfig({ ...process.env }));
  const out = await db.client.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: itemsPk(job.tenant, job.collectionId, job.generation) } },
      Select: 'COUNT',
    }),
  );
  return out.Count ?? 0;
}

describe('the synthesized bundles', () => {
  it('exist for every route and the purge job, with their source maps, and need nothing from the repository', () => {
    expect([...synth.functions.keys()].sort()).toEqual(
      [...ROUTES.map((r) => r.operation), PURGE_OPERATION].sort(),
    );
    for (const fn of synth.functions.values()) {
      expect(fn.entryFile).toBe('index.mjs');
      // The map names our TypeScript sources (stack traces point there), without embedding them.
      const map = JSON.parse(readFileSync(path.join(fn.dir, `${fn.entryFile}.map`), 'utf8'));
      expect(map.sources.some((s: string) => /lambda\/(handlers|jobs)\/\w+\.ts$/.test(s))).toBe(true);
      expect(map.sourcesContent).toBeUndefined();
      expect(path.relative(path.resolve(__dirname, '../..'), fn.dir)).toMatch(/^\.\./);
      // No node_modules between the bundle and the file system root.
      for (let d = fn.dir; d !== path.dirname(d); d = path.dirname(d)) {
        expect(existsSync(path.join(d, 'node_modules'))).toBe(false);
      }
    }
  });
});

describe('every function answers its operation (V3 JWT and legacy bodies, base64 included)', () => {
  it('provision: open V3 body and legacy secret key', async () => {
    const open = await aws.http('provision', '/v3/provision', '{}');
    expect(open.status).toBe(200);
    const old = await legacy('provision', '/provision');
    expect(old).toMatchObject({ status: 200, body: { protocolVersion: 2 } });
  });

  it('capabilitiesGet', async () => {
    const res = await v3('capabilitiesGet', '/v3/capabilities/get', {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.any(Object));
  });

  it('collectionsCreate and collectionsGet (V3 with a base64 body, legacy)', async () => {
    const created = await v3(
      'collectionsCreate',
      '/v3/collections/create',
      {
        collection: {
          id: 'cars',
          fields: [
            { key: 'make', type: 'TEXT' },
            { key: 'year', type: 'NUMBER' },
            {
              key: 'parts',
              type: 'MULTI_REFERENCE',
              multiReferenceOptions: { referencedCollectionId: 'parts' },
            },
          ],
        },
      },
      { base64: true },
    );
    expect(created.status).toBe(200);
    expect(
      (await v3('collectionsCreate', '/v3/collections/create', { collection: { id: 'parts', fields: [] } }))
        .status,
    ).toBe(200);
    expect(await legacy('collectionsCreate', '/schemas/create', { collectionName: 'boats' })).toMatchObject({
      status: 200,
    });

    const got = await v3('collectionsGet', '/v3/collections/get', { collectionIds: ['cars'] });
    expect(got.status).toBe(200);
    expect(got.body.collections.map((c: { id: string }) => c.id)).toEqual(['cars']);
    const found = await legacy('collectionsGet', '/schemas/find', { schemaIds: ['boats'] });
    expect(found.status).toBe(200);
    expect(found.body.schemas.map((s: { id: string }) => s.id)).toEqual(['boats']);
  });

  it('collectionsUpdate', async () => {
    const updated = await v3('collectionsUpdate', '/v3/collections/update', {
      collection: {
        id: 'cars',
        fields: [
          { key: 'make', type: 'TEXT' },
          { key: 'year', type: 'NUMBER' },
          {
            key: 'parts',
            type: 'MULTI_REFERENCE',
            multiReferenceOptions: { referencedCollectionId: 'parts' },
          },
          { key: 'electric', type: 'BOOLEAN' },
        ],
      },
    });
    expect(updated.status).toBe(200);
    const added = await legacy('collectionsUpdate', '/schemas/column/add', {
      collectionName: 'boats',
      column: { name: 'length', type: 'number', isPrimary: false },
    });
    expect(added).toEqual(expect.objectContaining({ status: 200, body: {} }));
  });

  it('itemsInsert', async () => {
    const cars = [
      { _id: 'c1', make: 'Ford', year: 2017 },
      { _id: 'c2', make: 'BMW', year: 2019 },
      { _id: 'c3', make: 'Ford', year: 2021 },
    ];
    const res = await v3(
      'itemsInsert',
      '/v3/items/insert',
      { collectionId: 'cars', items: cars },
      { base64: true },
    );
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { item: { _id: string } }) => r.item._id)).toEqual(['c1', 'c2', 'c3']);
    await v3('itemsInsert', '/v3/items/insert', {
      collectionId: 'parts',
      items: [{ _id: 'p1' }, { _id: 'p2' }],
    });
    const boat = await legacy('itemsInsert', '/data/insert', {
      collectionName: 'boats',
      item: { _id: 'b1', length: 7 },
    });
    expect(boat).toMatchObject({ status: 200, body: { item: { _id: 'b1', length: 7 } } });
  });

  it('itemsQuery and itemsCount', async () => {
    const q = await v3('itemsQuery', '/v3/items/query', {
      collectionId: 'cars',
      query: { filter: { make: 'Ford' }, sort: [{ fieldName: 'year', order: 'DESC' }] },
    });
    expect(q.status).toBe(200);
    expect(q.body.items.map((i: { _id: string }) => i._id)).toEqual(['c3', 'c1']);
    const find = await legacy('itemsQuery', '/data/find', {
      collectionName: 'boats',
      filter: '',
      skip: 0,
      limit: 10,
    });
    expect(find.status).toBe(200);
    expect(find.body.items.map((i: { _id: string }) => i._id)).toEqual(['b1']);

    const n = await v3('itemsCount', '/v3/items/count', {
      collectionId: 'cars',
      filter: { year: { $gt: 2018 } },
    });
    expect(n).toMatchObject({ status: 200, body: { totalCount: 2 } });
    expect(await legacy('itemsCount', '/data/count', { collectionName: 'boats', filter: '' })).toMatchObject({
      status: 200,
      body: { totalCount: 1 },
    });
  });

  it('itemsAggregate and itemsDistinct', async () => {
    const agg = await v3('itemsAggregate', '/v3/items/aggregate', {
      collectionId: 'cars',
      initialFilter: {},
      aggregation: { groupingFields: ['make'], operations: [{ resultFieldName: 'n', itemCount: {} }] },
      sort: [{ fieldName: 'make', order: 'ASC' }],
    });
    expect(agg.status).toBe(200);
    expect(agg.body.items).toEqual([
      { make: 'BMW', n: 1 },
      { make: 'Ford', n: 2 },
    ]);
    const legacyAgg = await legacy('itemsAggregate', '/data/aggregate', {
      collectionName: 'boats',
      processingStep: { _id: '$_id', l: { $max: '$length' } },
    });
    expect(legacyAgg.status).toBe(200);
    expect(legacyAgg.body.items).toEqual([{ _id: 'b1', l: 7 }]);

    const distinct = await v3('itemsDistinct', '/v3/items/query-distinct-values', {
      collectionId: 'cars',
      fieldName: 'make',
    });
    expect(distinct.status).toBe(200);
    expect(distinct.body.distinctValues).toEqual(['BMW', 'Ford']);
  });

  it('itemsInsertReferences, itemsQueryReferenced, itemsRemoveReferences', async () => {
    const ref = { collectionId: 'cars', referringFieldKey: 'parts' };
    const inserted = await v3('itemsInsertReferences', '/v3/items/insert-references', {
      ...ref,
      references: [
        { referringItemId: 'c1', referencedItemId: 'p1' },
        { referringItemId: 'c1', referencedItemId: 'p2' },
      ],
    });
    expect(inserted.status).toBe(200);
    const q = await v3('itemsQueryReferenced', '/v3/items/query-referenced', {
      ...ref,
      referringItemIds: ['c1'],
      order: 'ASC',
    });
    expect(q.status).toBe(200);
    expect(q.body.items.map((i: { referencedItemId?: string }) => i.referencedItemId).sort()).toEqual([
      'p1',
      'p2',
    ]);
    const removed = await v3('itemsRemoveReferences', '/v3/items/remove-references', {
      ...ref,
      references: [{ referringItemId: 'c1', referencedItemId: 'p1' }],
    });
    expect(removed.status).toBe(200);
  });

  it('itemsUpdate and itemsRemove', async () => {
    const up = await v3('itemsUpdate', '/v3/items/update', {
      collectionId: 'cars',
      items: [{ _id: 'c2', make: 'BMW', year: 2020 }],
    });
    expect(up.status).toBe(200);
    expect(up.body.results[0].item).toMatchObject({ _id: 'c2', year: 2020 });
    const legacyUp = await legacy('itemsUpdate', '/data/update', {
      collectionName: 'boats',
      item: { _id: 'b1', length: 8 },
    });
    expect(legacyUp).toMatchObject({ status: 200, body: { item: { _id: 'b1', length: 8 } } });

    const rm = await v3('itemsRemove', '/v3/items/remove', { collectionId: 'cars', itemIds: ['c2'] });
    expect(rm.status).toBe(200);
    const legacyRm = await legacy('itemsRemove', '/data/remove', { collectionName: 'boats', itemId: 'b1' });
    expect(legacyRm).toMatchObject({ status: 200, body: { item: { _id: 'b1' } } });
  });
});

describe('truncate and delete start the purge bundle through Lambda Invoke', () => {
  it('a truncate invokes the purge function asynchronously, and the purge bundle empties the old partition', async () => {
    const before = aws.lambda.invocations.length;
    const res = await v3('itemsTruncate', '/v3/items/truncate', { collectionId: 'cars' });
    expect(res.status).toBe(200);
    const invoked = aws.lambda.invocations.slice(before);
    expect(invoked.map((i) => i.functionName)).toEqual([synth.functions.get(PURGE_OPERATION)!.functionName]);
    const job = (invoked[0]!.event as { purge: { tenant: string; collectionId: string; generation: string } })
      .purge;
    expect(job).toMatchObject({ collectionId: 'cars' });
    const run = (await invoked[0]!.done) as { result?: { purged: number }; error?: unknown };
    expect(run.error).toBeUndefined();
    // c1 and c3 were left, and the reference c1 -> p2 they held.
    expect(run.result!.purged).toBe(3);
    expect(await partitionSize(job)).toBe(0);
    const after = await v3('itemsCount', '/v3/items/count', { collectionId: 'cars' });
    expect(after.body.totalCount).toBe(0);
  });

  it('a legacy truncate and a collection delete do the same', async () => {
    const before = aws.lambda.invocations.length;
    await v3('itemsInsert', '/v3/items/insert', { collectionId: 'parts', items: [{ _id: 'p3' }] });
    expect((await legacy('itemsTruncate', '/data/truncate', { collectionName: 'boats' })).status).toBe(200);
    expect((await v3('collectionsDelete', '/v3/collections/delete', { collectionId: 'parts' })).status).toBe(
      200,
    );
    const invoked = aws.lambda.invocations.slice(before);
    expect(invoked).toHaveLength(2);
    const runs = (await Promise.all(invoked.map((i) => i.done))) as Array<{ result?: { purged: number } }>;
    expect(runs.map((r) => r.result?.purged)).toEqual([0, 3]);
    for (const i of invoked) expect(await partitionSize((i.event as { purge: any }).purge)).toBe(0);
  });
});

describe('faults at cold start and at run time', () => {
  it('a secret read denied at cold start answers a retryable 503 with the legacy error body, and the process recovers once allowed', async () => {
    // The legacy secret of a fresh collectionsGet process is refused, as with a role missing its grant.
    const { arn } = aws.secretOf('collectionsGet', 'WIX_SECRET_KEY_ARN');
    aws.secretsManager.denied.add(arn);
    try {
      const cold = await aws.fresh('collectionsGet');
      const denied = await aws.http('collectionsGet', '/schemas/list', legacyBody('collectionsGet', {}), {
        process: cold,
      });
      expect(denied.status).toBe(503);
      expect(denied.body).toEqual({ message: expect.stringMatching(/could not read its secrets; retry/) });
      // Powertools Logger writes errors to stderr.
      expect(denied.invocation.stderr.join('\n') + denied.invocation.stdout.join('\n')).toMatch(
        /cold start failed/,
      );
      aws.secretsManager.denied.delete(arn);
      const retried = await aws.http('collectionsGet', '/schemas/list', legacyBody('collectionsGet', {}), {
        process: cold,
      });
      expect(retried.status).toBe(200);
    } finally {
      aws.secretsManager.denied.delete(arn);
    }
  });

  it('a secret read denied at cold start answers the V3 error body on a V3 path', async () => {
    const { arn } = aws.secretOf('collectionsGet', 'WIX_SECRET_KEY_ARN');
    aws.secretsManager.denied.add(arn);
    try {
      const cold = await aws.fresh('collectionsGet');
      const jwt = await signV3Request(
        { collectionIds: ['cars'] },
        { privateKeyPem: wixKeys().privateKeyPem, instanceId: TENANT },
      );
      const denied = await aws.http('collectionsGet', '/v3/collections/get', jwt, { process: cold });
      expect(denied.status).toBe(503);
      expect(denied.body).toMatchObject({
        errorCode: 'SERVICE_UNAVAILABLE',
        applicationError: { code: 'SERVICE_UNAVAILABLE' },
      });
    } finally {
      aws.secretsManager.denied.delete(arn);
    }
  });

  it('a hung DynamoDB answers 503 with the V3 error body before the function timeout', async () => {
    const hung = await new HangingEndpoint().start();
    try {
      const p = await aws.fresh('itemsCount', { AWS_ENDPOINT_URL_DYNAMODB: hung.endpoint });
      const margin = Number(p.fn.environment.DEADLINE_MARGIN_MS);
      expect(margin).toBe(2_000);
      // The shortest timeout the stack lets a function have (margin + 5 s): the tightest case.
      const timeoutMs = margin + 5_000;
      const jwt = await signV3Request(
        { collectionId: 'cars' },
        { privateKeyPem: wixKeys().privateKeyPem, instanceId: TENANT },
      );
      const run = await aws.invoke('itemsCount', '/v3/items/count', jwt, { process: p, timeoutMs });
      expect(run.timedOut).toBe(false);
      expect(run.result?.statusCode).toBe(503);
      expect(jsonOf(run.result!)).toMatchObject({
        errorCode: 'SERVICE_UNAVAILABLE',
        applicationError: { code: 'SERVICE_UNAVAILABLE' },
      });
      // It used the time it had (remaining time - margin), and answered within the margin.
      expect(run.ms).toBeGreaterThanOrEqual(timeoutMs - margin - 500);
      expect(run.ms).toBeLessThan(timeoutMs);
    } finally {
      await hung.stop();
    }
  });
});

/** The JSON lines a function printed (logs and EMF), in order. */
const jsonLines = (lines: readonly string[]): any[] =>
  lines.flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return typeof v === 'object' && v !== null ? [v] : [];
    } catch {
      return [];
    }
  });
const emf = (lines: readonly string[]) => jsonLines(lines).filter((l) => l._aws?.CloudWatchMetrics);
const metricNames = (line: any): string[] =>
  line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);

describe('what a function prints: EMF metrics and the request log line', () => {
  it('prints one EMF line per request, an error line on failure and a ColdStart line on the first', async () => {
    const cold = await aws.fresh('itemsCount');
    expect(cold.fn.environment.POWERTOOLS_METRICS_DISABLED).toBeUndefined();
    const jwt = (request: unknown) =>
      signV3Request(request, { privateKeyPem: wixKeys().privateKeyPem, instanceId: TENANT });

    const ok = await aws.http('itemsCount', '/v3/items/count', await jwt({ collectionId: 'cars' }), {
      process: cold,
    });
    expect(ok.status).toBe(200);
    const first = emf(ok.invocation.stdout);
    const coldStart = first.filter((l) => metricNames(l).includes('ColdStart'));
    expect(coldStart).toHaveLength(1);
    expect(coldStart[0]).toMatchObject({ ColdStart: 1, service: 'wix-adaptor' });
    const requests = first.filter((l) => metricNames(l).includes('Requests'));
    expect(requests).toHaveLength(1);
    const [line] = requests;
    expect(line._aws.CloudWatchMetrics).toHaveLength(1);
    expect(line._aws.CloudWatchMetrics[0].Namespace).toBe('WixAdaptor');
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'operation']]);
    expect(metricNames(line).sort()).toEqual(
      ['ItemsRead', 'Latency', 'ReadCapacityUnits', 'Requests', 'WriteCapacityUnits'].sort(),
    );
    expect(line).toMatchObject({ service: 'wix-adaptor', operation: 'itemsCount', Requests: 1 });
    expect(line.Latency).toEqual(expect.any(Number));
    expect(line.ReadCapacityUnits).toBeGreaterThan(0);
    expect(first.filter((l) => metricNames(l).includes('Errors'))).toHaveLength(0);

    const missing = await aws.http(
      'itemsCount',
      '/v3/items/count',
      await jwt({ collectionId: 'no-such-collection' }),
      { process: cold },
    );
    expect(missing.status).toBe(404);
    const second = emf(missing.invocation.stdout);
    expect(second.filter((l) => metricNames(l).includes('ColdStart'))).toHaveLength(0);
    expect(second.filter((l) => metricNames(l).includes('Requests'))).toHaveLength(1);
    const errors = second.filter((l) => metricNames(l).includes('Errors'));
    expect(errors).toHaveLength(1);
    expect(errors[0]._aws.CloudWatchMetrics[0].Namespace).toBe('WixAdaptor');
    expect(errors[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'operation', 'errorCode']]);
    expect(errors[0]).toMatchObject({
      operation: 'itemsCount',
      errorCode: 'COLLECTION_NOT_FOUND',
      Errors: 1,
    });
  });

  it('logs one request line with the keys the Contributor Insights rules read', async () => {
    const q = await v3('itemsQuery', '/v3/items/query', { collectionId: 'cars', query: {} });
    expect(q.status).toBe(200);
    const lines = jsonLines(q.invocation.stdout).filter((l) => l.message === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      tenant: TENANT,
      operation: 'itemsQuery',
      itemsRead: expect.any(Number),
      readCapacity: expect.any(Number),
      writeCapacity: 0,
    });
    expect(lines[0].readCapacity).toBeGreaterThan(0);
  });
});

describe('the response-size rule, through the real bundles', () => {
  const ITEM_BYTES = 330 * 1024;

  it('a query page over 6 MB answers 400 RESPONSE_TOO_LARGE naming the limit; a smaller page answers', async () => {
    expect(
      (await v3('collectionsCreate', '/v3/collections/create', { collection: { id: 'big', fields: [] } }))
        .status,
    ).toBe(200);
    // 20 items of 330 KB, 4 per insert (a request body is at most 6 MB, and a JWT grows it by 4/3).
    for (let batch = 0; batch < 5; batch++) {
      const items = Array.from({ length: 4 }, (_, i) => ({
        _id: `big-${batch * 4 + i}`,
        blob: String.fromCharCode(97 + batch).repeat(ITEM_BYTES),
      }));
      const res = await v3(
        'itemsInsert',
        '/v3/items/insert',
        { collectionId: 'big', items },
        { base64: true },
      );
      expect(res.status).toBe(200);
      expect(res.body.results.every((r: { item?: unknown }) => r.item)).toBe(true);
    }

    const all = await v3('itemsQuery', '/v3/items/query', {
      collectionId: 'big',
      query: { paging: { limit: 20, offset: 0 } },
    });
    expect(all.status).toBe(400);
    expect(all.body).toMatchObject({ errorCode: 'RESPONSE_TOO_LARGE' });
    expect(all.body.errorMessage).toMatch(/6291556 bytes/);
    expect(JSON.stringify(all.invocation.result).length).toBeLessThan(6_291_556);

    const some = await v3('itemsQuery', '/v3/items/query', {
      collectionId: 'big',
      query: { paging: { limit: 10, offset: 0 } },
    });
    expect(some.status).toBe(200);
    expect(some.body.items).toHaveLength(10);
    const bytes = Buffer.byteLength(JSON.stringify(some.invocation.result));
    expect(bytes).toBeGreaterThan(10 * ITEM_BYTES);
    expect(bytes).toBeLessThan(6_291_556);
  }, 120_000);
});
