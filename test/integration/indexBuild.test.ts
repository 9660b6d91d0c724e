/**
 * Index builds (backfill) against DynamoDB Local: BUILDING -> ACTIVE with every item indexed,
 * resumable hand-overs, writes during the build, removal during the build, and the sweep.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { handler } from '../../lambda/jobs/purge';
import { setDeps } from '../../lambda/runtime';
import { comparator } from '../../lambda/query/sort';
import { runIndexBuild } from '../../lambda/service/indexBuild';
import { fromAttrMap, toAttrMap } from '../../lambda/store/codec';
import { requireCollection } from '../../lambda/store/collections';
import { pendingBuilds, putBuildMarker, type IndexBuildJob } from '../../lambda/store/indexBuild';
import { indexPk } from '../../lambda/store/indexKeys';
import { gsiName, gsiPk } from '../../lambda/store/schema';
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

const C = 'products';

async function collectionWith(a: TestAdaptor, n: number): Promise<void> {
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields: [] } })).status).toBe(200);
  for (let start = 0; start < n; start += 500) {
    const items = Array.from({ length: Math.min(500, n - start) }, (_, i) => {
      const k = start + i;
      return {
        _id: `i${String(k).padStart(5, '0')}`,
        price: (k * 7919) % 1000,
        ...(k % 10 === 0 ? {} : { cat: `c${k % 4}` }),
      };
    });
    expect((await a.call('/v3/items/insert', { collectionId: C, items })).status).toBe(200);
  }
}

async function indexIds(a: TestAdaptor, name: string): Promise<string[]> {
  const { record } = await requireCollection(a.deps.db, a.tenant, C);
  const index = record.indexes!.find((i) => i.name === name)!;
  const pk = indexPk({ tenant: a.tenant, collectionId: C, generation: record.generation }, index);
  const ids: string[] = [];
  let startKey: Record<string, any> | undefined;
  do {
    const out = await a.deps.db.client.send(
      new QueryCommand({
        TableName: a.deps.db.tableName,
        IndexName: gsiName(index.slot),
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': gsiPk(index.slot) },
        ExpressionAttributeValues: toAttrMap({ ':p': pk }),
        ExclusiveStartKey: startKey,
      }),
    );
    ids.push(...(out.Items ?? []).map((i) => String(fromAttrMap(i).sk)));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return ids;
}

/** The index holds exactly the collection's items, in the in-memory sort's order. */
async function expectComplete(a: TestAdaptor, name: string, sort: { field: string; desc: boolean }[]) {
  const res = await a.call('/v3/items/query', { collectionId: C, query: { paging: { limit: 1000 } } });
  const items: Record<string, unknown>[] = res.body.items;
  const ids = await indexIds(a, name);
  expect([...ids].sort()).toEqual(items.map((i) => String(i._id)).sort());
  const byId = new Map(items.map((i) => [String(i._id), i]));
  const cmp = comparator(sort);
  for (let i = 1; i < ids.length; i++)
    expect(cmp(byId.get(ids[i - 1]!)!, byId.get(ids[i]!)!)).toBeLessThanOrEqual(0);
}

const statusOf = async (a: TestAdaptor, name: string) =>
  (await a.call('/v3/indexes/list', { collectionId: C })).body.indexes.find(
    (i: { name: string }) => i.name === name,
  )?.status;

const markersOf = async (a: TestAdaptor) =>
  (await pendingBuilds(a.deps.db, 0, new Date(Date.now() + 60_000))).filter((j) => j.tenant === a.tenant);

describe('index builds', () => {
  it('moves an index over existing items from BUILDING to ACTIVE with every item indexed', async () => {
    const a = createTestAdaptor();
    await collectionWith(a, 250); // two backfill pages of 200
    const created = await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'byCatPrice', fields: [{ path: 'cat' }, { path: 'price', order: 'DESC' }] },
    });
    expect(created.body.index.status).toBe('BUILDING');
    await buildsIdle(a);
    expect(await statusOf(a, 'byCatPrice')).toBe('ACTIVE');
    await expectComplete(a, 'byCatPrice', [
      { field: 'cat', desc: false },
      { field: 'price', desc: true },
    ]);
    expect(await markersOf(a)).toEqual([]);
  });

  it('activates an index on an empty collection', async () => {
    const a = createTestAdaptor();
    await collectionWith(a, 0);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'e', fields: [{ path: 'price' }] },
    });
    await buildsIdle(a);
    expect(await statusOf(a, 'e')).toBe('ACTIVE');
  });

  it('hands over when its time is up and resumes after the last item done', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, 450);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'p', fields: [{ path: 'price' }] },
    });
    let job: IndexBuildJob = deps.indexBuilder.jobs[0]!;
    let passes = 0;
    let total = 0;
    for (;;) {
      passes++;
      const outcome = await runIndexBuild(deps, job, 0); // deadline already passed: one page per pass
      total += outcome.indexed;
      if (!outcome.next) break;
      expect(outcome.next.after).toBeDefined();
      expect(await markersOf(a)).toEqual([outcome.next]);
      job = outcome.next;
    }
    expect(passes).toBe(3); // pages of 200
    expect(total).toBe(450); // no item written twice
    expect(await statusOf(a, 'p')).toBe('ACTIVE');
    await expectComplete(a, 'p', [{ field: 'price', desc: false }]);
    expect(await markersOf(a)).toEqual([]);
  });

  it('ends with an exact index when items are inserted, updated and removed during the build', async () => {
    const a = createTestAdaptor();
    await collectionWith(a, 600);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'p', fields: [{ path: 'price' }] },
    });
    const writes = [];
    for (let k = 0; k < 30; k++) {
      writes.push(
        a.call('/v3/items/update', {
          collectionId: C,
          items: [{ _id: `i${String(k * 19).padStart(5, '0')}`, price: 5000 + k }],
        }),
      );
      writes.push(a.call('/v3/items/insert', { collectionId: C, items: [{ _id: `new${k}`, price: -k }] }));
      writes.push(
        a.call('/v3/items/remove', { collectionId: C, itemIds: [`i${String(k * 17 + 3).padStart(5, '0')}`] }),
      );
    }
    for (const res of await Promise.all(writes)) expect(res.status).toBe(200);
    await buildsIdle(a);
    expect(await statusOf(a, 'p')).toBe('ACTIVE');
    await expectComplete(a, 'p', [{ field: 'price', desc: false }]);
  });

  it('drops the build of an index removed before it ran', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, 10);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'gone', fields: [{ path: 'price' }] },
    });
    await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'gone' });
    const outcome = await runIndexBuild(deps, deps.indexBuilder.jobs[0]!, Number.POSITIVE_INFINITY);
    expect(outcome).toEqual({ done: true, indexed: 0 });
    // only the removal's clear is left (service/indexClear.ts), and it finishes too
    const [clear] = await markersOf(a);
    expect(clear).toEqual(deps.indexBuilder.jobs[1]);
    expect(clear!.clear).toBeDefined();
    await runIndexBuild(deps, clear!, Number.POSITIVE_INFINITY);
    expect(await markersOf(a)).toEqual([]);
  });

  it('leaves no marker behind for a refused create', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, 0);
    const index = { name: 'n', fields: [{ path: 'price' }] };
    await a.call('/v3/indexes/create', { collectionId: C, index });
    await runIndexBuild(deps, deps.indexBuilder.jobs[0]!, Number.POSITIVE_INFINITY);
    expect((await a.call('/v3/indexes/create', { collectionId: C, index })).status).toBe(409);
    expect(await markersOf(a)).toEqual([]);
  });

  it('is finished by the purge function: a build event, and the sweep for a build that died', async () => {
    const deps = depsWithoutBuilds();
    setDeps(deps);
    try {
      const a = createTestAdaptor({ deps });
      await collectionWith(a, 50);
      await a.call('/v3/indexes/create', {
        collectionId: C,
        index: { name: 'x', fields: [{ path: 'price' }] },
      });
      await a.call('/v3/indexes/create', {
        collectionId: C,
        index: { name: 'y', fields: [{ path: 'cat' }] },
      });
      const [x, y] = deps.indexBuilder.jobs;
      await handler({ build: x! }, { getRemainingTimeInMillis: () => 600_000 });
      expect(await statusOf(a, 'x')).toBe('ACTIVE');
      // y's start was lost: a fresh marker is left to a build that may still be running...
      await handler({ sweep: true }, { getRemainingTimeInMillis: () => 600_000 });
      expect(await statusOf(a, 'y')).toBe('BUILDING');
      // ...a stale one is finished by the sweep
      await putBuildMarker(deps.db, y!, new Date(Date.now() - 20 * 60_000));
      await handler({ sweep: true }, { getRemainingTimeInMillis: () => 600_000 });
      expect(await statusOf(a, 'y')).toBe('ACTIVE');
      await expectComplete(a, 'y', [{ field: 'cat', desc: false }]);
      expect(await markersOf(a)).toEqual([]);
    } finally {
      setDeps(undefined);
    }
  });

  it('waits out the grace period before scanning, so no write that missed the index is skipped', async () => {
    const deps = depsWithoutBuilds({ INDEX_BUILD_GRACE_MS: '1500' });
    const a = createTestAdaptor({ deps });
    await collectionWith(a, 5);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'g', fields: [{ path: 'price' }] },
    });
    const started = Date.now();
    await runIndexBuild(deps, deps.indexBuilder.jobs[0]!, Number.POSITIVE_INFINITY);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await statusOf(a, 'g')).toBe('ACTIVE');
  });
});
