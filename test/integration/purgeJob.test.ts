/** The purge function (lambda/jobs/purge.ts) as Lambda runs it: a purge event, a sweep, a hand-over. */
import { handler } from '../../lambda/jobs/purge';
import { setDeps } from '../../lambda/runtime';
import {
  LocalPurger,
  pendingPurges,
  touchPurgeMarker,
  type PurgeJob,
  type Purger,
} from '../../lambda/store/purge';
import { inRequestScope } from '../../lambda/store/requestScope';
import { expiredRequestScope } from '../helpers/requestScope';
import { buildDeps } from '../../lambda/runtime';
import { createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { currentPartition, partitionCount } from '../helpers/raw';
import { putNewItem } from '../../lambda/store/items';
import { sleep } from '../../lambda/store/concurrency';
import { createTestAdaptor as plainAdaptor, purgesIdle } from '../helpers/adaptor';
import { itemsPk } from '../../lambda/store/keys';

/** A purger that only records what it was asked to start, as the Lambda invoke would. */
class RecordingPurger implements Purger {
  readonly jobs: PurgeJob[] = [];
  async schedule(job: PurgeJob): Promise<void> {
    this.jobs.push(job);
  }
}

let purger: RecordingPurger;
let a: TestAdaptor;

beforeEach(() => {
  purger = new RecordingPurger();
  const base = testDeps();
  const deps = buildDeps(base.config, { db: base.db, verifyToken: base.verifyToken, purger });
  setDeps(deps);
  a = createTestAdaptor({ deps });
});
afterAll(() => setDeps(undefined));

async function truncated(n: number): Promise<PurgeJob> {
  await a.call('/v3/collections/create', { collection: { id: 'p', fields: [] } });
  for (let start = 0; start < n; start += 1000) {
    const items = Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({ _id: `i${start + i}` }));
    expect((await a.call('/v3/items/insert', { collectionId: 'p', items })).status).toBe(200);
  }
  await a.call('/v3/items/truncate', { collectionId: 'p' });
  expect(purger.jobs).toHaveLength(1);
  return purger.jobs[0]!;
}

const mine = async (job: PurgeJob) =>
  (await pendingPurges(a.deps.db, 0, new Date(Date.now() + 60_000))).filter((j) => j.tenant === job.tenant);

it('purges the partition named by a purge event and removes its marker', async () => {
  const job = await truncated(80);
  const pk = itemsPk(job.tenant, job.collectionId, job.generation);
  expect(await partitionCount(a, pk)).toBe(80);
  const out = await handler({ purge: job }, { getRemainingTimeInMillis: () => 600_000 });
  expect(out.purged).toBe(80);
  expect(await partitionCount(a, pk)).toBe(0);
  expect(await mine(job)).toEqual([]);
});

it('sweeps stale markers (a purge that died) and leaves fresh ones to their running purge', async () => {
  const job = await truncated(30);
  // the marker is fresh: the sweep must leave it alone
  await handler({ sweep: true }, { getRemainingTimeInMillis: () => 600_000 });
  expect(await mine(job)).toHaveLength(1);
  // make it stale (20 minutes old): now the sweep finishes it
  await touchPurgeMarker(a.deps.db, job, new Date(Date.now() - 20 * 60_000));
  await handler({ sweep: true }, { getRemainingTimeInMillis: () => 600_000 });
  expect(await mine(job)).toEqual([]);
  expect(await partitionCount(a, itemsPk(job.tenant, job.collectionId, job.generation))).toBe(0);
});

it('hands the rest to a fresh invocation when time runs out, refreshing its marker', async () => {
  const job = await truncated(1200); // more than one page of keys
  const realNow = Date.now;
  let calls = 0;
  // time flies after the first page: the deadline passes
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (calls++ > 2 ? 3_600_000 : 0));
  try {
    await handler({ purge: job }, { getRemainingTimeInMillis: () => 60_000 });
  } finally {
    jest.restoreAllMocks();
  }
  expect(purger.jobs.slice(1)).toEqual([job]); // rescheduled itself
  const pk = itemsPk(job.tenant, job.collectionId, job.generation);
  const left = await partitionCount(a, pk);
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThan(1200);
  const [marker] = await pendingPurges(a.deps.db, 0, new Date(realNow() + 60_000)).then((js) =>
    js.filter((j) => j.tenant === job.tenant),
  );
  expect(marker).toEqual(job);
  // the continuation finishes it
  await handler({ purge: job }, { getRemainingTimeInMillis: () => 600_000 });
  expect(await partitionCount(a, pk)).toBe(0);
});

/**
 * Issue 10, item 7: inserts racing a truncate or a collection delete. Each insert call read the
 * collection record (the old generation) before the switch and keeps writing into it afterwards;
 * the purge must not finish, and drop its marker, while such a write can still land.
 */
describe('writes racing truncate and delete', () => {
  // Long enough for the retirement, the first sweep and the late writes (well under a second, a
  // few seconds on a loaded machine; the test checks it did fit), short because each test then
  // waits the rest of it out for the purge's second sweep.
  const GRACE_MS = 5_000;

  /**
   * The race, made deterministic: an insert that read the old generation before the switch lands
   * its write after the purge's first sweep (what a slow request does). It writes with the store's
   * own insert, into the partition it read, as the insert service would.
   */
  async function lateWriteAfter(retire: (r: TestAdaptor) => Promise<{ status: number }>) {
    const r = plainAdaptor({ deps: testDeps({ PURGE_GRACE_MS: String(GRACE_MS) }) });
    await r.call('/v3/collections/create', { collection: { id: 'race', fields: [] } });
    await r.call('/v3/items/insert', {
      collectionId: 'race',
      items: Array.from({ length: 40 }, (_, i) => ({ _id: `early-${i}` })),
    });
    const retiredPk = await currentPartition(r, 'race'); // what the in-flight insert read
    const retiredAt = Date.now();
    expect((await retire(r)).status).toBe(200);
    // the purge's first sweep empties the partition ...
    for (let i = 0; i < 200 && (await partitionCount(r, retiredPk)) > 0; i++) await sleep(50);
    expect(await partitionCount(r, retiredPk)).toBe(0);
    // ... then the in-flight insert lands, still within the grace
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => putNewItem(r.deps.db, retiredPk, { _id: `late-${i}` })),
    );
    const window = Date.now() - retiredAt;
    expect(window).toBeLessThan(GRACE_MS);
    expect(await partitionCount(r, retiredPk)).toBe(5);
    await purgesIdle(r);
    // the purge finished only when the grace had passed, not at its first (emptying) sweep
    expect(Date.now() - retiredAt).toBeGreaterThanOrEqual(GRACE_MS);
    return { r, retiredPk };
  }

  it.each([
    ['truncate', (r: TestAdaptor) => r.call('/v3/items/truncate', { collectionId: 'race' })],
    ['collection delete', (r: TestAdaptor) => r.call('/v3/collections/delete', { collectionId: 'race' })],
  ])('leaves the retired partition empty after a %s', async (_name, retire) => {
    const { r, retiredPk } = await lateWriteAfter(retire);
    expect(await partitionCount(r, retiredPk)).toBe(0);
    const markers = await pendingPurges(r.deps.db, 0, new Date(Date.now() + 60_000));
    expect(markers.filter((j) => j.tenant === r.tenant)).toEqual([]);
  });

  it('keeps the marker while the grace runs and counts it from the retirement, not from hand-overs', async () => {
    const r = plainAdaptor({ deps: testDeps({ PURGE_GRACE_MS: '600000' }), tenant: `grace-${Date.now()}` });
    const deps = buildDeps(r.deps.config, {
      db: r.deps.db,
      verifyToken: r.deps.verifyToken,
      purger: new RecordingPurger(),
    });
    const q = createTestAdaptor({ deps, tenant: r.tenant });
    await q.call('/v3/collections/create', { collection: { id: 'g', fields: [] } });
    await q.call('/v3/items/insert', { collectionId: 'g', items: [{ _id: 'x' }] });
    const pk = await currentPartition(q, 'g');
    await q.call('/v3/items/truncate', { collectionId: 'g' });
    const [job] = (deps.purger as RecordingPurger).jobs;
    const { purgePartition } = await import('../../lambda/store/purge');
    const first = await purgePartition(q.deps.db, job!, Number.POSITIVE_INFINITY, 600_000);
    expect(first.done).toBe(false);
    expect(first.settleAt).toBeGreaterThan(Date.now() + 500_000);
    expect(await partitionCount(q, pk)).toBe(0);
    // a hand-over refreshes the marker's liveness but not its retirement time
    await touchPurgeMarker(q.deps.db, job!, new Date(Date.now() + 3_600_000));
    const again = await purgePartition(q.deps.db, job!, Number.POSITIVE_INFINITY, 600_000);
    expect(again.settleAt).toBe(first.settleAt);
    expect(
      (await pendingPurges(q.deps.db, -7_200_000, new Date())).filter((j) => j.tenant === q.tenant),
    ).toHaveLength(1);
    // once the grace has passed, one more sweep and the marker goes
    const done = await purgePartition(q.deps.db, job!, Number.POSITIVE_INFINITY, 1);
    expect(done.done).toBe(true);
    expect(
      (await pendingPurges(q.deps.db, -7_200_000, new Date())).filter((j) => j.tenant === q.tenant),
    ).toEqual([]);
  });
});

it('runs a local purge outside the request that started it, whose deadline has passed', async () => {
  // Found beside the index build's same fault: a background task inherited the scheduling request's
  // deadline, so every DynamoDB call of a purge outliving that request was refused.
  const job = await truncated(30);
  const pk = itemsPk(job.tenant, job.collectionId, job.generation);
  const local = new LocalPurger(a.deps.db);
  const scope = expiredRequestScope();
  await inRequestScope(scope, () => local.schedule(job));
  await local.idle();
  expect(await partitionCount(a, pk)).toBe(0);
  expect(scope.usage.requests).toBe(0);
});
