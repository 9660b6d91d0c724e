/** The purge function (lambda/jobs/purge.ts) as Lambda runs it: a purge event, a sweep, a hand-over. */
import { handler } from '../../lambda/jobs/purge';
import { setDeps } from '../../lambda/runtime';
import { pendingPurges, touchPurgeMarker, type PurgeJob, type Purger } from '../../lambda/store/purge';
import { buildDeps } from '../../lambda/runtime';
import { createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { partitionCount } from '../helpers/raw';
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
