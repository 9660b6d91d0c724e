/**
 * An `_id` lookup costs one DynamoDB round trip of latency (issue 12 item 8): the item is read
 * under the generation this process last saw, in parallel with the collection record that
 * verifies it, and an item of a truncated generation is never served, whichever process truncated.
 */
import { randomUUID } from 'node:crypto';
import { buildDeps, type Deps } from '../../lambda/runtime';
import { getCollection } from '../../lambda/store/collections';
import { getItems } from '../../lambda/store/items';
import { itemsPk } from '../../lambda/store/keys';
import { createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';

const SECRET = 'id-lookup-secret-key-0123456789';

interface Call {
  name: string;
  start: number;
  end: number;
}

/** A process of its own (own client, so its own generation hint) whose purges never run. */
function processDeps(): Deps & { calls: Call[] } {
  const base = testDeps({ WIX_SECRET_KEY: SECRET });
  const deps = buildDeps(base.config, {
    verifyToken: base.verifyToken,
    purger: { schedule: async () => {} },
  });
  const calls: Call[] = [];
  let clock = 0;
  // Records when each DynamoDB command starts and ends, on a logical clock (order, not time).
  deps.db.client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { name: context.commandName ?? '?', start: ++clock, end: 0 };
      calls.push(call);
      try {
        return await next(args);
      } finally {
        call.end = ++clock;
      }
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return Object.assign(deps, { calls });
}

/** Most commands in flight at once among `calls`. */
function maxInFlight(calls: Call[]): number {
  const events = calls.flatMap((c) => [
    [c.start, 1],
    [c.end, -1],
  ]);
  events.sort((x, y) => x[0]! - y[0]!);
  let now = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (now += d!));
  return most;
}

const byId = (a: TestAdaptor, id: string, collectionId = 'c') =>
  a.call('/v3/items/query', { collectionId, query: { filter: { _id: id } } });

async function setup() {
  const deps = processDeps();
  const a = createTestAdaptor({ deps, tenant: `site-${randomUUID()}` });
  await a.call('/v3/collections/create', { collection: { id: 'c', fields: [{ key: 'v', type: 'NUMBER' }] } });
  await a.call('/v3/items/insert', {
    collectionId: 'c',
    items: [
      { _id: 'x', v: 1 },
      { _id: 'y', v: 2 },
    ],
  });
  return { a, deps };
}

describe('an _id lookup', () => {
  it('reads the item and the record concurrently once the generation is known', async () => {
    const { a } = await setup();
    // a process that has not seen the collection reads the record first, then the item
    const cold = createTestAdaptor({ deps: processDeps(), tenant: a.tenant });
    const coldDeps = cold.deps as Deps & { calls: Call[] };
    expect((await byId(cold, 'x')).body.items).toEqual([expect.objectContaining({ _id: 'x', v: 1 })]);
    expect(coldDeps.calls.map((c) => c.name)).toEqual(['GetItemCommand', 'GetItemCommand']);
    expect(maxInFlight(coldDeps.calls)).toBe(1);

    // the same process, once it has read the record: both reads in flight together
    await byId(cold, 'y');
    coldDeps.calls.length = 0;
    expect((await byId(cold, 'x')).body.items).toEqual([expect.objectContaining({ _id: 'x', v: 1 })]);
    expect(coldDeps.calls.map((c) => c.name)).toEqual(['GetItemCommand', 'GetItemCommand']);
    expect(maxInFlight(coldDeps.calls)).toBe(2);
  });

  it.each([
    ['$eq', { _id: { $eq: 'y' } }, ['y'], 'GetItemCommand'],
    ['$in', { _id: { $in: ['x', 'y', 'missing'] } }, ['x', 'y'], 'BatchGetItemCommand'],
  ])('overlaps for %s too', async (_op, filter, want, itemCommand) => {
    const { a, deps } = await setup();
    await byId(a, 'x');
    deps.calls.length = 0;
    const res = await a.call('/v3/items/query', { collectionId: 'c', query: { filter } });
    expect(res.body.items.map((i: { _id: string }) => i._id)).toEqual(want);
    expect(deps.calls.map((c) => c.name).sort()).toEqual([itemCommand, 'GetItemCommand'].sort());
    expect(maxInFlight(deps.calls)).toBe(2);
  });

  it('overlaps for a legacy /data/get', async () => {
    const { a, deps } = await setup();
    await byId(a, 'x');
    deps.calls.length = 0;
    const got = await a.legacy('/data/get', { collectionName: 'c', itemId: 'y' });
    expect(got.body.item).toMatchObject({ _id: 'y', v: 2 });
    expect(maxInFlight(deps.calls)).toBe(2);
  });

  it('never serves the old generation after a truncate in this process', async () => {
    const { a } = await setup();
    await byId(a, 'x');
    await a.call('/v3/items/truncate', { collectionId: 'c' });
    expect((await byId(a, 'x')).body.items).toEqual([]);
    await a.call('/v3/items/insert', { collectionId: 'c', items: [{ _id: 'x', v: 10 }] });
    expect((await byId(a, 'x')).body.items).toEqual([expect.objectContaining({ _id: 'x', v: 10 })]);
  });

  it('never serves the old generation after another process truncated and wrote again', async () => {
    const { a, deps } = await setup();
    await byId(a, 'x'); // this process now holds the old generation
    const old = (await a.call('/v3/collections/get', { collectionIds: ['c'] })).status; // still there
    expect(old).toBe(200);
    const other = createTestAdaptor({ deps: processDeps(), tenant: a.tenant });
    const before = await readGeneration(a);
    await other.call('/v3/items/truncate', { collectionId: 'c' });
    await other.call('/v3/items/insert', { collectionId: 'c', items: [{ _id: 'x', v: 99 }] });
    // the old partition still holds the old item (no purge ran): a speculative read finds it
    const stale = await getItems(deps.db, itemsPk(a.tenant, 'c', before), ['x'], true);
    expect(stale.get('x')).toMatchObject({ v: 1 });

    deps.calls.length = 0;
    expect((await byId(a, 'x')).body.items).toEqual([expect.objectContaining({ _id: 'x', v: 99 })]);
    // the guess, the record, then the item read again under the record's generation
    expect(deps.calls.map((c) => c.name)).toEqual(['GetItemCommand', 'GetItemCommand', 'GetItemCommand']);
    const legacy = await a.legacy('/data/get', { collectionName: 'c', itemId: 'y' });
    expect(legacy.status).toBe(404);
  });

  it('answers COLLECTION_NOT_FOUND when another process deleted the collection', async () => {
    const { a } = await setup();
    await byId(a, 'x');
    const other = createTestAdaptor({ deps: processDeps(), tenant: a.tenant });
    expect((await other.call('/v3/collections/delete', { collectionId: 'c' })).status).toBe(200);
    const res = await byId(a, 'x');
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('COLLECTION_NOT_FOUND');
  });
});

async function readGeneration(a: TestAdaptor): Promise<string> {
  return (await getCollection(a.deps.db, a.tenant, 'c'))!.record.generation;
}
