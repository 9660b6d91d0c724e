/**
 * Item writes under DynamoDB faults (issue 7, part 4): real signed V3 requests through the in-process
 * adaptor, whose DynamoDB client talks to DynamoDB Local through a fault-injecting proxy. What is
 * stored is then read on the real endpoint, past the proxy and the adaptor's read path.
 *
 * The honest property checked after every faulty write: every item acknowledged as written is stored
 * with exactly the acknowledged content; every item reported as failed is either not stored or (when
 * the write landed before its acknowledgement was lost) stored with exactly the content sent; nothing
 * is stored that was never sent. Acknowledged items missing or different count as "items lost".
 */
import { createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import {
  directView,
  faultsInjected,
  seededRandom,
  startFaultProxy,
  type DirectView,
  type Fault,
  type FaultProxy,
  type RequestInfo,
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

async function rig(env: Record<string, string> = {}): Promise<Rig> {
  const proxy = await startFaultProxy();
  const adaptors: TestAdaptor[] = [];
  const make = (tenant?: string) => {
    const deps = testDeps({ DYNAMODB_ENDPOINT: proxy.url, ...env });
    const a = createTestAdaptor({ deps, ...(tenant ? { tenant } : {}) });
    adaptors.push(a);
    return a;
  };
  const a = make();
  const view = directView(a.tenant);
  open.push(async () => {
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
  console.log(`faults/writes: faults injected ${faultsInjected()}, items lost ${itemsLost}`);
});

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem'];
const pad = (i: number) => String(i).padStart(2, '0');
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${pad(i)}`);
/** The item `_id` a PutItem / UpdateItem / DeleteItem is about. */
const itemIdOf = (req: RequestInfo): string | undefined => req.body?.Item?.sk?.S ?? req.body?.Key?.sk?.S;
/** What a client must never see: SDK error names, endpoints, socket errors, stack frames. */
const INTERNALS = /amazonaws|Exception|InternalServerError|127\.0\.0\.1|ECONN|socket|hang up|\bat .*\(/;

async function create(a: TestAdaptor, id = 'things'): Promise<void> {
  const res = await a.call('/v3/collections/create', { collection: { id, fields: [] } });
  expect(res.status).toBe(200);
}

async function insert(a: TestAdaptor, items: Record<string, unknown>[], collectionId = 'things') {
  const res = await a.call('/v3/items/insert', { collectionId, items });
  expect(res.status).toBe(200);
  expect(res.body.results).toHaveLength(items.length);
  return res.body.results as { item?: any; error?: any }[];
}

/** Counts acknowledged items that are not stored exactly as acknowledged (and adds them to the total). */
function lostOf(results: { item?: any }[], stored: Map<string, unknown>): number {
  const lost = results.filter((r) => r.item && !isEqual(stored.get(r.item._id), r.item)).length;
  itemsLost += lost;
  return lost;
}

function isEqual(x: unknown, y: unknown): boolean {
  try {
    expect(x).toEqual(y);
    return true;
  } catch {
    return false;
  }
}

/** Speeds up the SDK's jittered backoff (and the store's) without changing how often it retries. */
function fastBackoff(): void {
  jest.spyOn(Math, 'random').mockReturnValue(0.01);
}

describe('transient throttling', () => {
  it('is retried by the SDK on inserts, updates and removes until every item succeeds', async () => {
    const { proxy, a, view } = await rig();
    await create(a);
    const all = ids('t', 40);
    // The first attempt of each item's write is throttled (every 10th item's first two attempts).
    const throttleFirstAttempts = (code: (id: string) => Fault) => {
      const attempts = new Map<string, number>();
      return proxy.add({
        operations: WRITES,
        match: (req) => {
          const id = itemIdOf(req);
          if (!id) return false;
          const n = attempts.get(id) ?? 0;
          attempts.set(id, n + 1);
          return n < (id.endsWith('0') ? 2 : 1);
        },
        fault: (req) => code(itemIdOf(req)!),
      });
    };

    let rule = throttleFirstAttempts(() => ({
      kind: 'throttle',
      code: 'ProvisionedThroughputExceededException',
    }));
    const inserted = await insert(
      a,
      all.map((id, i) => ({ _id: id, title: `T${i}`, n: i })),
    );
    expect(inserted.filter((r) => r.error)).toEqual([]);
    expect(rule.hits).toBe(44);
    rule.remove();
    let stored = await view.items('things');
    expect(stored.size).toBe(40);
    expect(lostOf(inserted, stored)).toBe(0);

    rule = throttleFirstAttempts(() => ({ kind: 'throttle', code: 'ThrottlingException' }));
    const upd = await a.call('/v3/items/update', {
      collectionId: 'things',
      items: all.map((id, i) => ({ _id: id, title: `U${i}`, n: -i })),
    });
    expect(upd.status).toBe(200);
    const updated = upd.body.results as { item?: any; error?: any }[];
    expect(updated.filter((r) => r.error)).toEqual([]);
    expect(updated.map((r) => r.item.title)).toEqual(all.map((_, i) => `U${i}`));
    expect(rule.hits).toBe(44);
    rule.remove();
    stored = await view.items('things');
    expect(lostOf(updated, stored)).toBe(0);

    rule = throttleFirstAttempts((id) => ({
      kind: 'throttle',
      code: Number(id.slice(1)) % 2 ? 'ThrottlingException' : 'ProvisionedThroughputExceededException',
    }));
    const gone = all.slice(0, 20);
    const rm = await a.call('/v3/items/remove', { collectionId: 'things', itemIds: gone });
    expect(rm.status).toBe(200);
    expect(rm.body.results.map((r: any) => r.item?._id)).toEqual(gone);
    // 20 deletes (2 attempts for ids ending in 0) + the one-time "inbound links complete" record the
    // first remove of a collection writes (service/references.ts), throttled once like the rest
    expect(rule.hits).toBe(23);
    stored = await view.items('things');
    expect([...stored.keys()].sort()).toEqual(all.slice(20));
    expect(proxy.faultsByKind.throttle).toBe(111);
  });
});

describe('persistent throttling', () => {
  it('reports each item DynamoDB keeps throttling as THROTTLED in its slot, HTTP 200; only those are not written', async () => {
    fastBackoff();
    const { proxy, a, view, fresh } = await rig();
    await create(a);
    const seeded = await insert(
      a,
      ids('a', 30).map((id, i) => ({ _id: id, title: `A${i}`, n: i })),
    );
    const before = new Map(seeded.map((r) => [r.item._id as string, r.item]));
    const hot = (id: string) => Number(id.slice(1)) % 3 === 0;
    const throttleHot = (op: string) =>
      proxy.add({
        operations: [op],
        match: (req) => hot(itemIdOf(req) ?? 'x1'),
        fault: { kind: 'throttle', code: op === 'UpdateItem' ? 'ThrottlingException' : undefined },
      });
    const expectSlots = (results: { item?: any; error?: any }[], sent: string[]) => {
      results.forEach((r, i) => {
        if (hot(sent[i]!)) {
          expect(r).toEqual({
            error: { errorCode: 'THROTTLED', errorMessage: expect.stringMatching(/retry/), data: {} },
          });
          expect(r.error.errorMessage).not.toMatch(INTERNALS);
        } else {
          expect(r.item?._id).toBe(sent[i]);
        }
      });
    };

    // inserts: hot items absent, the others stored exactly
    let rule = throttleHot('PutItem');
    const newIds = ids('n', 30);
    const ins = await insert(
      fresh(),
      newIds.map((id, i) => ({ _id: id, title: `N${i}`, n: i })),
    );
    expectSlots(ins, newIds);
    expect(rule.hits).toBe(10 * 6); // each hot item: maxAttempts (6) throttled attempts
    rule.remove();
    let stored = await view.items('things');
    for (const id of newIds) expect(stored.has(id)).toBe(!hot(id));
    expect(lostOf(ins, stored)).toBe(0);

    // updates: hot items keep their old content, the others hold the acknowledged one
    rule = throttleHot('UpdateItem');
    const oldIds = [...before.keys()];
    const upd = await fresh().call('/v3/items/update', {
      collectionId: 'things',
      items: oldIds.map((id) => ({ _id: id, title: 'changed' })),
    });
    expect(upd.status).toBe(200);
    expectSlots(upd.body.results, oldIds);
    rule.remove();
    stored = await view.items('things');
    for (const id of oldIds.filter(hot)) expect(stored.get(id)).toEqual(before.get(id));
    expect(lostOf(upd.body.results, stored)).toBe(0);

    // removes: hot items still there, the others gone
    rule = throttleHot('DeleteItem');
    const rm = await fresh().call('/v3/items/remove', { collectionId: 'things', itemIds: oldIds });
    expect(rm.status).toBe(200);
    expectSlots(rm.body.results, oldIds);
    rule.remove();
    stored = await view.items('things');
    for (const id of oldIds) expect(stored.has(id)).toBe(hot(id));
    for (const id of oldIds.filter(hot)) expect(stored.get(id)).toEqual(before.get(id));
  });

  it('under heavy random throttling, a stored item is always reported stored and a THROTTLED one is never stored', async () => {
    fastBackoff();
    const { proxy, a, view, fresh } = await rig();
    await create(a);
    const random = seededRandom(42);
    proxy.add({ operations: WRITES, probability: 0.8, random, fault: { kind: 'throttle' } });
    const sent = ids('m', 40);
    const results = await insert(
      fresh(),
      sent.map((id, i) => ({ _id: id, title: `M${i}` })),
    );
    proxy.clear();
    const stored = await view.items('things');
    const failed = results.filter((r) => r.error);
    for (const [i, r] of results.entries()) {
      if (r.error) {
        expect(r.error.errorCode).toBe('THROTTLED');
        expect(stored.has(sent[i]!)).toBe(false);
      } else {
        expect(stored.get(sent[i]!)).toEqual(r.item);
      }
    }
    expect(stored.size).toBe(40 - failed.length);
    expect(lostOf(results, stored)).toBe(0);
    // 0.8 per attempt over 6 attempts: both outcomes happen with this seed
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(40);
  });

  it('fails a legacy bulk insert with the first throttled item, saying how many others were stored', async () => {
    fastBackoff();
    const { proxy, a, view } = await rig({ WIX_SECRET_KEY: 'fault-secret' });
    await create(a);
    proxy.add({
      operations: ['PutItem'],
      match: (req) => itemIdOf(req) === 'l1',
      fault: { kind: 'throttle' },
    });
    const res = await a.legacy('/data/insert/bulk', {
      collectionName: 'things',
      items: [{ _id: 'l0' }, { _id: 'l1' }, { _id: 'l2' }],
    });
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).toMatch(/2 of 3/);
    expect(JSON.stringify(res.body)).not.toMatch(INTERNALS);
    const stored = await view.items('things');
    expect([...stored.keys()].sort()).toEqual(['l0', 'l2']);
  });
});

describe('DynamoDB dies mid-request', () => {
  it('after connections cut around PutItem / UpdateItem / DeleteItem, nothing acknowledged is missing and nothing unsent appears', async () => {
    fastBackoff();
    const { proxy, a, view } = await rig();
    await create(a);
    const random = seededRandom(7);
    const cuts: Fault['kind'][] = ['cutBefore', 'cutMid', 'cutAfter'];
    const cut = (ops: string[], times: number) =>
      proxy.add({
        operations: ops,
        probability: 0.3,
        random,
        times,
        fault: () => ({ kind: cuts[Math.floor(random() * cuts.length)]! }) as Fault,
      });

    // inserts
    let rule = cut(['PutItem'], 25);
    const sent = ids('c', 60).map((id, i) => ({ _id: id, title: `C${i}`, n: i }));
    const ins = await insert(a, sent);
    expect(rule.hits).toBeGreaterThan(5);
    rule.remove();
    let stored = await view.items('things');
    const createdDate = ins.find((r) => r.item)!.item._createdDate;
    const misreported = { inserts: [] as string[], removes: [] as string[] };
    for (const [i, r] of ins.entries()) {
      const id = sent[i]!._id;
      if (r.item) continue;
      expect(['ITEM_ALREADY_EXISTS', 'THROTTLED']).toContain(r.error.errorCode);
      expect(r.error.errorMessage).not.toMatch(INTERNALS);
      const s = stored.get(id);
      if (s) {
        // the write landed before the cut: exactly what was sent, by this very request
        expect(s).toMatchObject({ ...sent[i], _createdDate: createdDate });
        misreported.inserts.push(id);
      }
    }
    expect(lostOf(ins, stored)).toBe(0);
    expect([...stored.keys()].every((id) => sent.some((s) => s._id === id))).toBe(true);

    // updates of every id sent
    rule = cut(['UpdateItem'], 25);
    const before = stored;
    const upd = await a.call('/v3/items/update', {
      collectionId: 'things',
      items: sent.map((s) => ({ _id: s._id, title: `upd-${s._id}` })),
    });
    expect(upd.status).toBe(200);
    rule.remove();
    stored = await view.items('things');
    for (const [i, r] of (upd.body.results as { item?: any; error?: any }[]).entries()) {
      const id = sent[i]!._id;
      if (r.item) continue;
      expect(['ITEM_NOT_FOUND', 'THROTTLED']).toContain(r.error.errorCode);
      const s = stored.get(id);
      if (r.error.errorCode === 'ITEM_NOT_FOUND') expect(before.has(id)).toBe(false);
      if (s && !isEqual(s, before.get(id))) expect(s.title).toBe(`upd-${id}`);
    }
    expect(lostOf(upd.body.results, stored)).toBe(0);
    expect(stored.size).toBe(before.size);

    // removes of every id sent
    rule = cut(['DeleteItem'], 25);
    const rm = await a.call('/v3/items/remove', { collectionId: 'things', itemIds: sent.map((s) => s._id) });
    expect(rm.status).toBe(200);
    rule.remove();
    const left = await view.items('things');
    for (const [i, r] of (rm.body.results as { item?: any; error?: any }[]).entries()) {
      const id = sent[i]!._id;
      if (r.item) {
        expect(left.has(id)).toBe(false);
        continue;
      }
      expect(['ITEM_NOT_FOUND', 'THROTTLED']).toContain(r.error.errorCode);
      // a failed remove leaves the item as it was, or (delete applied, answer lost) removed
      if (left.has(id)) expect(left.get(id)).toEqual(stored.get(id));
      if (!left.has(id) && stored.has(id)) misreported.removes.push(id);
    }
    console.log(
      `faults/writes: applied but reported failed after a cut: ${misreported.inserts.length} of 60 inserts ` +
        `(ITEM_ALREADY_EXISTS), ${misreported.removes.length} of ${stored.size} removes (ITEM_NOT_FOUND)`,
    );
  });

  // BUG: PutItem is conditional (attribute_not_exists). When the connection dies after DynamoDB applied
  // it, the SDK retries, the retry's condition fails on our own write, and the item is reported as
  // ITEM_ALREADY_EXISTS although this very request stored it (with this request's content).
  it('reports an insert whose acknowledgement was lost as stored, not ITEM_ALREADY_EXISTS', async () => {
    const { proxy, a, view } = await rig();
    await create(a);
    const rule = proxy.add({
      operations: ['PutItem'],
      match: (req) => itemIdOf(req) === 'lost-ack',
      times: 1,
      fault: { kind: 'cutAfter' },
    });
    const [r] = await insert(a, [{ _id: 'lost-ack', title: 'mine' }]);
    expect(rule.hits).toBe(1);
    const stored = await view.items('things');
    expect(stored.get('lost-ack')).toMatchObject({ title: 'mine' });
    expect(r!.error).toBeUndefined();
    expect(r!.item).toEqual(stored.get('lost-ack'));
  });

  // BUG (same cause, DeleteItem is conditional on attribute_exists): the retry of a delete that was
  // applied reports ITEM_NOT_FOUND for an item that existed and that this request removed.
  it.failing('reports a remove whose acknowledgement was lost as removed, not ITEM_NOT_FOUND', async () => {
    const { proxy, a, view } = await rig();
    await create(a);
    await insert(a, [{ _id: 'gone', title: 'x' }]);
    const rule = proxy.add({ operations: ['DeleteItem'], times: 1, fault: { kind: 'cutAfter' } });
    const res = await a.call('/v3/items/remove', { collectionId: 'things', itemIds: ['gone'] });
    expect(rule.hits).toBe(1);
    expect((await view.items('things')).has('gone')).toBe(false);
    expect(res.body.results[0].error).toBeUndefined();
    expect(res.body.results[0].item).toMatchObject({ _id: 'gone', title: 'x' });
  });
});

describe('slow DynamoDB', () => {
  it('answers normally when responses are late but within the timeout', async () => {
    const { proxy, a, view } = await rig({ DYNAMODB_TIMEOUT_MS: '3000' });
    await create(a);
    proxy.add({ operations: WRITES, fault: { kind: 'delay', ms: 150 } });
    const results = await insert(
      a,
      ids('s', 10).map((id) => ({ _id: id })),
    );
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(lostOf(results, await view.items('things'))).toBe(0);
  });

  // BUG: lambda/store/client.ts passes `requestTimeout: config.dynamodbTimeoutMs` to the request
  // handler, but @smithy/node-http-handler 4.x only logs a warning when it passes unless
  // `throwOnRequestTimeout: true` is also set, so a hung DynamoDB call is never cut nor retried: it
  // waits as long as DynamoDB does (here 2.5 s against a 300 ms limit).
  it('cuts a DynamoDB call that hangs past DYNAMODB_TIMEOUT_MS and retries it', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { proxy, a, view } = await rig({ DYNAMODB_TIMEOUT_MS: '300' });
    await create(a);
    const rule = proxy.add({
      operations: ['PutItem'],
      times: 1,
      fault: { kind: 'delay', ms: 2500, where: 'before' },
    });
    const started = Date.now();
    const [r] = await insert(a, [{ _id: 'slow', title: 'x' }]);
    const ms = Date.now() - started;
    expect(rule.hits).toBe(1);
    expect((await view.items('things')).get('slow')).toEqual(r!.item);
    expect(ms).toBeLessThan(2000);
  });
});

describe('reference clean-up failing after the deletes', () => {
  // BUG: removeItems deletes the items, then removeReferencesOfItems lists the tenant's collections
  // (Query). If that read fails, the whole request answers 500 although the deletes were applied:
  // the caller is told nothing was removed, and a retry gets ITEM_NOT_FOUND per item and skips the
  // clean-up, so references held by or pointing at the removed items are never deleted.
  it('does not answer a 5xx for a remove whose deletes were applied', async () => {
    fastBackoff();
    const { proxy, a, view } = await rig();
    await create(a);
    await insert(a, [{ _id: 'r1' }, { _id: 'r2' }]);
    proxy.add({ operations: ['Query'], fault: { kind: 'serverError' } });
    const res = await a.call('/v3/items/remove', { collectionId: 'things', itemIds: ['r1', 'r2'] });
    proxy.clear();
    const left = await view.items('things');
    // Either the deletes are reported per item, or, if the request fails, nothing was removed.
    if (res.status >= 500) expect([...left.keys()].sort()).toEqual(['r1', 'r2']);
    else expect(res.body.results.map((r: any) => r.item?._id)).toEqual(['r1', 'r2']);
  });
});
