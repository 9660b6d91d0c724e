/**
 * Reads, batches, truncate and outages under DynamoDB faults (issue 7, part 4), through the in-process
 * adaptor whose DynamoDB client goes through a fault-injecting proxy in front of DynamoDB Local.
 *
 * - BatchGetItem UnprocessedKeys / BatchWriteItem UnprocessedItems (purge) are retried until done;
 *   when they never get done, the request fails instead of answering part of the data.
 * - During an outage a query or count answers a 5xx with a JSON error code and nothing internal,
 *   never partial results as a success; it works again after recovery.
 * - A truncate during an outage fails and leaves the collection as it was (no half-done truncate).
 */
import { pendingPurges } from '../../lambda/store/purge';
import { createTestAdaptor, purgesIdle, testDeps, type TestAdaptor } from '../helpers/adaptor';
import {
  directView,
  faultsInjected,
  startFaultProxy,
  type DirectView,
  type Fault,
  type FaultProxy,
} from '../helpers/faultProxy';

interface Rig {
  readonly proxy: FaultProxy;
  readonly a: TestAdaptor;
  readonly view: DirectView;
  /** A new adaptor (fresh SDK client, so a fresh retry quota) for the same tenant, via the proxy. */
  fresh(): TestAdaptor;
}

const open: (() => Promise<void>)[] = [];
let itemsLost = 0;

async function rig(): Promise<Rig> {
  const proxy = await startFaultProxy();
  const adaptors: TestAdaptor[] = [];
  const make = (tenant?: string) => {
    const a = createTestAdaptor({
      deps: testDeps({ DYNAMODB_ENDPOINT: proxy.url }),
      ...(tenant ? { tenant } : {}),
    });
    adaptors.push(a);
    return a;
  };
  const a = make();
  const view = directView(a.tenant);
  open.push(async () => {
    await Promise.all(adaptors.map((x) => purgesIdle(x)));
    for (const x of adaptors) x.deps.db.client.destroy();
    view.close();
    await proxy.close();
  });
  return { proxy, a, view, fresh: () => make(a.tenant) };
}

afterEach(async () => {
  jest.restoreAllMocks();
  while (open.length) await open.pop()!();
});

afterAll(() => {
  console.log(`faults/readsAndOutages: faults injected ${faultsInjected()}, items lost ${itemsLost}`);
});

/** What a client must never see: SDK error names, endpoints, socket errors, stack frames. */
const INTERNALS = /amazonaws|Exception|InternalServerError|127\.0\.0\.1|ECONN|socket|hang up|\bat .*\(/;
const pad = (i: number) => String(i).padStart(3, '0');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(a: TestAdaptor, n: number, collectionId = 'c'): Promise<any[]> {
  expect(
    (await a.call('/v3/collections/create', { collection: { id: collectionId, fields: [] } })).status,
  ).toBe(200);
  const items = Array.from({ length: n }, (_, i) => ({
    _id: `i${pad(i)}`,
    kind: i % 100 === 99 ? 'rare' : 'common',
    n: i,
    title: `Item ${i}`,
  }));
  const res = await a.call('/v3/items/insert', { collectionId, items });
  expect(res.status).toBe(200);
  return res.body.results.map((r: any) => r.item);
}

function isEqual(x: unknown, y: unknown): boolean {
  try {
    expect(x).toEqual(y);
    return true;
  } catch {
    return false;
  }
}

/** A whole-request failure as the client sees it: 5xx, a JSON error code, nothing internal. */
function expectCleanFailure(res: { status: number; body: any }): void {
  expect(res.status).toBeGreaterThanOrEqual(500);
  expect(res.body).toEqual(
    expect.objectContaining({ errorCode: expect.any(String), errorMessage: expect.any(String) }),
  );
  expect(res.body.items).toBeUndefined();
  expect(res.body.totalCount).toBeUndefined();
  expect(JSON.stringify(res.body)).not.toMatch(INTERNALS);
}

/** Counts items that were stored before and are not stored exactly so now (and adds them to the total). */
function lostFrom(before: any[], now: Map<string, unknown>): number {
  const lost = before.filter((item) => !isEqual(now.get(item._id), item)).length;
  itemsLost += lost;
  return lost;
}

describe('BatchGetItem UnprocessedKeys', () => {
  it('retries unprocessed keys until every asked item is answered', async () => {
    const { proxy, a } = await rig();
    const items = await seed(a, 150);
    const asked = items.slice(10, 130);
    const rule = proxy.add({ operations: ['BatchGetItem'], times: 4, fault: { kind: 'unprocessed' } });
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { _id: { $in: asked.map((i) => i._id) } }, paging: { limit: 200 } },
    });
    expect(res.status).toBe(200);
    expect(rule.hits).toBe(4);
    expect(proxy.requests.BatchGetItem).toBeGreaterThanOrEqual(2 + 4);
    expect(res.body.items).toEqual(asked);
  });

  it('fails the query, instead of answering part of the items, when keys stay unprocessed', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0); // no backoff waits
    const { proxy, a } = await rig();
    const items = await seed(a, 20);
    proxy.add({ operations: ['BatchGetItem'], fault: { kind: 'unprocessed' } });
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { _id: { $in: items.map((i) => i._id) } } },
    });
    expectCleanFailure(res);
  });
});

describe('BatchWriteItem UnprocessedItems (purge)', () => {
  it('retries unprocessed deletes until the truncated generation is gone and its marker removed', async () => {
    const { proxy, a, view } = await rig();
    await seed(a, 80);
    const old = (await view.generation('c'))!;
    const rule = proxy.add({
      operations: ['BatchWriteItem'],
      times: 6,
      fault: { kind: 'unprocessed', keep: 0.5 },
    });
    expect((await a.call('/v3/items/truncate', { collectionId: 'c' })).status).toBe(200);
    await purgesIdle(a);
    expect(rule.hits).toBe(6);
    expect(proxy.requests.BatchWriteItem).toBeGreaterThanOrEqual(4 + 6);
    expect(await view.partitionSize('c', old)).toBe(0);
    expect(await view.purgeMarkers('c')).toEqual([]);
  });

  it('keeps the purge marker when the purge dies in an outage, and a later sweep finishes it', async () => {
    const { proxy, a, view, fresh } = await rig();
    await seed(a, 60);
    const old = (await view.generation('c'))!;
    proxy.add({ operations: ['BatchWriteItem'], fault: { kind: 'serverError' } });
    expect((await a.call('/v3/items/truncate', { collectionId: 'c' })).status).toBe(200);
    await purgesIdle(a);
    expect(await view.partitionSize('c', old)).toBe(60);
    expect(await view.purgeMarkers('c')).toEqual([old]);
    // the collection reads empty meanwhile
    expect((await a.call('/v3/items/count', { collectionId: 'c' })).body).toEqual({ totalCount: 0 });
    proxy.clear();
    const sweeper = fresh();
    for (const job of await pendingPurges(sweeper.deps.db, 0, new Date()))
      if (job.tenant === a.tenant) await sweeper.deps.purger.schedule(job);
    await purgesIdle(sweeper);
    expect(await view.partitionSize('c', old)).toBe(0);
    expect(await view.purgeMarkers('c')).toEqual([]);
  });
});

describe('BatchWriteItem UnprocessedItems (references of removed items)', () => {
  it('retries unprocessed reference deletes until none of the removed item is left', async () => {
    const { proxy, a, view } = await rig();
    await seed(a, 60, 'dst');
    const created = await a.call('/v3/collections/create', {
      collection: {
        id: 'src',
        fields: [
          { key: 'refs', type: 'MULTI_REFERENCE', multiReferenceOptions: { referencedCollectionId: 'dst' } },
        ],
      },
    });
    expect(created.status).toBe(200);
    await a.call('/v3/items/insert', { collectionId: 'src', items: [{ _id: 's' }, { _id: 'keep' }] });
    const linked = await a.call('/v3/items/insert-references', {
      collectionId: 'src',
      referringFieldKey: 'refs',
      references: [
        ...Array.from({ length: 60 }, (_, i) => ({ referringItemId: 's', referencedItemId: `i${pad(i)}` })),
        { referringItemId: 'keep', referencedItemId: 'i000' },
      ],
    });
    expect(linked.body.results.filter((r: any) => r.error)).toEqual([]);
    expect(await view.referenceCount('src')).toBe(61);
    const rule = proxy.add({ operations: ['BatchWriteItem'], times: 4, fault: { kind: 'unprocessed' } });
    const res = await a.call('/v3/items/remove', { collectionId: 'src', itemIds: ['s'] });
    expect(res.status).toBe(200);
    expect(res.body.results[0].item._id).toBe('s');
    expect(rule.hits).toBe(4);
    expect(await view.referenceCount('src')).toBe(1);
  });
});

describe('queries and counts during an outage', () => {
  const outages: [string, Fault, string[] | undefined][] = [
    ['every request answers 500 InternalServerError', { kind: 'serverError' }, undefined],
    ['every connection is reset', { kind: 'cutBefore' }, undefined],
    ['only Query requests die mid-request', { kind: 'cutMid' }, ['Query']],
  ];
  it.each(outages)(
    'answer a clean 5xx while %s, and the right answer after recovery',
    async (_name, fault, operations) => {
      const { proxy, a, fresh } = await rig();
      const items = await seed(a, 120);
      const during = fresh();
      // SDK retries of a 5xx / reset take at most 50+100+200+400+800 ms: all give up inside the outage
      const ends = Date.now() + 3_000;
      const outage = proxy.outage(3_000, fault, operations);
      const [query, count, filteredCount] = await Promise.all([
        during.call('/v3/items/query', {
          collectionId: 'c',
          query: { filter: { kind: 'common' }, sort: [{ fieldName: 'n', order: 'DESC' }] },
        }),
        during.call('/v3/items/count', { collectionId: 'c' }),
        during.call('/v3/items/count', { collectionId: 'c', filter: { title: { $contains: 'Item 1' } } }),
      ]);
      for (const res of [query, count, filteredCount]) expectCleanFailure(res);
      expect(outage.hits).toBeGreaterThanOrEqual(3);
      // the outage ends by itself
      await sleep(Math.max(0, ends - Date.now() + 50));
      const after = fresh();
      const q = await after.call('/v3/items/query', {
        collectionId: 'c',
        query: {
          filter: { kind: 'common' },
          sort: [{ fieldName: 'n', order: 'DESC' }],
          paging: { limit: 5 },
        },
      });
      expect(q.status).toBe(200);
      expect(q.body.items).toEqual(
        items
          .filter((i) => i.kind === 'common')
          .reverse()
          .slice(0, 5),
      );
      expect((await after.call('/v3/items/count', { collectionId: 'c' })).body).toEqual({ totalCount: 120 });
    },
  );

  it('never answers the pages read before a failure as a successful query', async () => {
    const { proxy, a, fresh } = await rig();
    await seed(a, 300);
    // The first Query page (25 items, no match) gets through; every later page request dies.
    let pages = 0;
    proxy.add({
      operations: ['Query'],
      match: () => ++pages > 1,
      fault: { kind: 'serverError' },
    });
    const res = await fresh().call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { kind: 'rare' }, paging: { limit: 10 } },
    });
    expect(pages).toBeGreaterThan(1);
    expectCleanFailure(res);
  });

  // BUG: a DynamoDB throttling error that outlasts the SDK's retries on a whole-request read or write
  // (query, count, the collection lookup every item write starts with, truncate) reaches the error
  // edge as an unknown error: 500 UNKNOWN_ERROR "Internal error". Per-item writes map the same error
  // to THROTTLED (errors.ts ThrottledError, 503, "the caller may retry"); whole requests should too,
  // so Wix and callers see a retryable 503 rather than an internal failure.
  it('answers 503 THROTTLED, not 500, when DynamoDB throttles past the retries', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.01);
    const { proxy, a, fresh } = await rig();
    await seed(a, 10);
    proxy.add({ fault: { kind: 'throttle', code: 'ThrottlingException' } });
    const during = fresh();
    const answers = await Promise.all([
      during.call('/v3/items/query', { collectionId: 'c', query: {} }),
      during.call('/v3/items/count', { collectionId: 'c' }),
      during.call('/v3/items/insert', { collectionId: 'c', items: [{ _id: 'new' }] }),
      during.call('/v3/items/truncate', { collectionId: 'c' }),
    ]);
    for (const res of answers) expectCleanFailure(res);
    expect(answers.map((r) => [r.status, r.body.errorCode])).toEqual(answers.map(() => [503, 'THROTTLED']));
  });
});

describe('truncate during an outage', () => {
  const outages: [string, Fault, string[] | undefined][] = [
    ['the transaction answers 500', { kind: 'serverError' }, ['TransactWriteItems']],
    ['the transaction is throttled', { kind: 'throttle' }, ['TransactWriteItems']],
    ['every connection is reset', { kind: 'cutBefore' }, undefined],
  ];
  it.each(outages)('fails and leaves the collection unchanged when %s', async (_name, fault, operations) => {
    jest.spyOn(Math, 'random').mockReturnValue(0.01); // short SDK backoff (throttling waits up to 31 s)
    const { proxy, a, view, fresh } = await rig();
    const items = await seed(a, 40);
    const generation = await view.generation('c');
    const rule = proxy.add({ fault, ...(operations ? { operations } : {}) });
    const res = await fresh().call('/v3/items/truncate', { collectionId: 'c' });
    expect(rule.hits).toBeGreaterThan(0);
    expectCleanFailure(res);
    proxy.clear();
    expect(await view.generation('c')).toBe(generation);
    expect(await view.purgeMarkers('c')).toEqual([]);
    const stored = await view.items('c');
    expect(stored.size).toBe(40);
    expect(lostFrom(items, stored)).toBe(0);
    // after recovery the adaptor reads it all, and truncate works
    const after = fresh();
    expect((await after.call('/v3/items/count', { collectionId: 'c' })).body).toEqual({ totalCount: 40 });
    expect((await after.call('/v3/items/truncate', { collectionId: 'c' })).status).toBe(200);
    expect((await after.call('/v3/items/count', { collectionId: 'c' })).body).toEqual({ totalCount: 0 });
    await purgesIdle(after);
    expect(await view.partitionSize('c', generation!)).toBe(0);
  });

  it('creates a collection once when the PutItem applied but its answer was lost', async () => {
    // Found by the index benchmark on a loaded machine: the SDK's retry met the record its first
    // attempt had written and the create answered 409 COLLECTION_ALREADY_EXISTS to itself.
    const { proxy, a } = await rig();
    const rule = proxy.add({ operations: ['PutItem'], times: 1, fault: { kind: 'cutAfter' } });
    const res = await a.call('/v3/collections/create', { collection: { id: 'lost', fields: [] } });
    expect(rule.hits).toBe(1);
    expect(res.status).toBe(200);
    // a real second create is still refused
    const again = await a.call('/v3/collections/create', { collection: { id: 'lost', fields: [] } });
    expect(again.status).toBe(409);
  });

  it('ends truncated once, with nothing orphaned, when the transaction applied but its answer was lost', async () => {
    const { proxy, a, view } = await rig();
    await seed(a, 30);
    const old = (await view.generation('c'))!;
    const tokens: string[] = [];
    proxy.add({
      operations: ['TransactWriteItems'],
      match: (req) => (tokens.push(req.body?.ClientRequestToken), false), // records, never faults
      fault: { kind: 'cutAfter' },
    });
    const rule = proxy.add({ operations: ['TransactWriteItems'], times: 1, fault: { kind: 'cutAfter' } });
    const res = await a.call('/v3/items/truncate', { collectionId: 'c' });
    expect(rule.hits).toBe(1);
    expect(res.status).toBe(200);
    // The SDK's retry carries the same ClientRequestToken, so DynamoDB answers it without applying the
    // transaction twice: one generation switch, and the old generation is purged.
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    expect((await a.call('/v3/items/count', { collectionId: 'c' })).body).toEqual({ totalCount: 0 });
    await purgesIdle(a);
    expect(await view.partitionSize('c', old)).toBe(0);
    expect(await view.purgeMarkers('c')).toEqual([]);
  });
});
