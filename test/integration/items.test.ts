/** Item writes against DynamoDB Local through the signed V3 edge. */
import { getItems } from '../../lambda/store/items';
import { resetStats, totalRequests } from '../../lambda/store/client';
import { createTestAdaptor, purgesIdle, type TestAdaptor } from '../helpers/adaptor';
import { currentPartition, partitionCount } from '../helpers/raw';

async function withCollection(id = 'things'): Promise<TestAdaptor> {
  const a = createTestAdaptor();
  const res = await a.call('/v3/collections/create', {
    collection: { id, fields: [{ key: 'title', type: 'TEXT' }] },
  });
  expect(res.status).toBe(200);
  return a;
}

async function stored(a: TestAdaptor, collectionId: string, ids: string[]) {
  return getItems(a.deps.db, await currentPartition(a, collectionId), ids, true);
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('items/insert', () => {
  it('stores each item and answers results aligned with the input', async () => {
    const a = await withCollection();
    const res = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [{ _id: 'a', title: 'A' }, { title: 'no id' }, { _id: 'c', title: 'C', _owner: 'someone' }],
    });
    expect(res.status).toBe(200);
    const [first, second, third] = res.body.results;
    expect(Object.keys(first)).toEqual(['item']);
    expect(first.item).toMatchObject({ _id: 'a', title: 'A', _owner: 'local-developer' });
    expect(first.item._createdDate.$date).toMatch(ISO_MS);
    expect(first.item._updatedDate).toEqual(first.item._createdDate);
    expect(second.item._id).toMatch(/^[A-Za-z0-9_-]{8,}$/); // generated, URL-safe
    expect(third.item._owner).toBe('someone');
    const db = await stored(a, 'things', ['a', second.item._id, 'c']);
    expect(db.get('a')).toEqual(first.item);
    expect(db.get(second.item._id)).toEqual(second.item);
    expect(db.get('c')).toEqual(third.item);
  });

  it('gives only the slot of an existing _id ITEM_ALREADY_EXISTS; the others are stored', async () => {
    const a = await withCollection();
    await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: 'taken', title: 'first' }] });
    const res = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [
        { _id: 'new1' },
        { _id: 'taken', title: 'second' },
        { _id: 'new2' },
        { _id: 'new1', title: 'dup in request' },
      ],
    });
    const r = res.body.results;
    expect(r[0].item._id).toBe('new1');
    expect(r[1]).toEqual({
      error: {
        errorCode: 'ITEM_ALREADY_EXISTS',
        errorMessage: expect.any(String),
        data: { itemId: 'taken' },
      },
    });
    expect(r[2].item._id).toBe('new2');
    expect(r[3].error.errorCode).toBe('ITEM_ALREADY_EXISTS');
    const db = await stored(a, 'things', ['taken', 'new1']);
    expect(db.get('taken')!.title).toBe('first');
    expect(db.get('new1')!.title).toBeUndefined();
  });

  it('lets exactly one of 50 concurrent inserts of one _id win', async () => {
    const a = await withCollection();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: 'contested', n: i }] }),
      ),
    );
    const winners = results.filter((r) => r.body.results[0].item);
    const losers = results.filter((r) => r.body.results[0].error?.errorCode === 'ITEM_ALREADY_EXISTS');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    const db = await stored(a, 'things', ['contested']);
    expect(db.get('contested')!.n).toBe(winners[0]!.body.results[0].item.n);
  });

  it('inserts 1000 items in one request, one conditional PutItem each, no transactions', async () => {
    const a = await withCollection();
    const items = Array.from({ length: 1000 }, (_, i) => ({
      _id: `item-${String(i).padStart(4, '0')}`,
      title: `Item ${i}`,
      n: i,
    }));
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/insert', { collectionId: 'things', items });
    expect(res.status).toBe(200);
    expect(res.body.results.every((r: { item?: unknown }) => r.item)).toBe(true);
    expect(res.body.results.map((r: { item: { _id: string } }) => r.item._id)).toEqual(
      items.map((i) => i._id),
    );
    expect(a.deps.db.stats.requests.PutItemCommand).toBe(1000);
    expect(a.deps.db.stats.requests.TransactWriteItemsCommand).toBeUndefined();
    expect(await partitionCount(a, await currentPartition(a, 'things'))).toBe(1000);
  });

  it('rejects whole requests that are malformed, before any write', async () => {
    const a = await withCollection();
    const cases: [unknown, string][] = [
      [{ collectionId: 'things', items: [] }, 'items'],
      [{ collectionId: 'things' }, 'items'],
      [{ collectionId: 'things', items: {} }, 'items'],
      [{ collectionId: 'things', items: [{ _id: 'ok' }, 'text'] }, 'items[1]'],
      [{ collectionId: 'things', items: [null] }, 'items[0]'],
      [{ collectionId: 'things', items: [{ _id: 42 }] }, 'items[0]._id'],
      [{ collectionId: 'things', items: [{ _id: '' }] }, 'items[0]._id'],
      [{ collectionId: 'things', items: [{ _id: 'é'.repeat(513) }] }, 'items[0]._id'],
      [{ collectionId: 'things', items: Array.from({ length: 1001 }, () => ({})) }, 'items'],
      [{ items: [{}] }, 'collectionId'],
    ];
    for (const [request, path] of cases) {
      const res = await a.call('/v3/items/insert', request);
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('VALIDATION_ERROR');
      expect(res.body.data.violations[0].fieldPath).toBe(path);
    }
    expect(await partitionCount(a, await currentPartition(a, 'things'))).toBe(0);
  });

  it('accepts an _id of exactly 1024 bytes', async () => {
    const a = await withCollection();
    const id = 'x'.repeat(1024);
    const res = await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: id }] });
    expect(res.body.results[0].item._id).toBe(id);
  });

  it('answers 404 COLLECTION_NOT_FOUND for an unknown collection', async () => {
    const a = createTestAdaptor();
    for (const p of ['/v3/items/insert', '/v3/items/update']) {
      const res = await a.call(p, { collectionId: 'nope', items: [{ _id: 'a' }] });
      expect([res.status, res.body.errorCode, res.body.data]).toEqual([
        404,
        'COLLECTION_NOT_FOUND',
        { collectionId: 'nope' },
      ]);
    }
    const rm = await a.call('/v3/items/remove', { collectionId: 'nope', itemIds: ['a'] });
    expect(rm.status).toBe(404);
    expect((await a.call('/v3/items/truncate', { collectionId: 'nope' })).status).toBe(404);
  });

  it('gives an item over 400 KB its own VALIDATION_ERROR and stores the rest', async () => {
    const a = await withCollection();
    const res = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [
        { _id: 'small' },
        { _id: 'huge', blob: 'x'.repeat(450 * 1024) },
        { _id: 'edge', blob: 'y'.repeat(405 * 1024) },
      ],
    });
    expect(res.status).toBe(200);
    const [small, huge, edge] = res.body.results;
    expect(small.item._id).toBe('small');
    expect(huge.error.errorCode).toBe('VALIDATION_ERROR');
    expect(huge.error.errorMessage).toMatch(/400 KB/);
    // just over the limit: DynamoDB itself refuses it, still a per-item error and not a 500
    expect(edge.error.errorCode).toBe('VALIDATION_ERROR');
    const db = await stored(a, 'things', ['small', 'huge', 'edge']);
    expect([...db.keys()]).toEqual(['small']);
  });

  it('gives values DynamoDB cannot hold a per-item error naming the field', async () => {
    const a = await withCollection();
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const res = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [
        { big: 1e200 },
        { tiny: 1e-200 },
        { deep },
        { when: { $date: 'yesterday' } },
        { bad: { '': 1 } },
        { ok: true },
      ],
    });
    const r = res.body.results;
    expect(r.slice(0, 5).map((x: { error: { errorCode: string } }) => x.error.errorCode)).toEqual(
      Array(5).fill('VALIDATION_ERROR'),
    );
    expect(r[0].error.data.violations[0].fieldPath).toBe('big');
    expect(r[3].error.data.violations[0].fieldPath).toBe('when');
    expect(r[5].item.ok).toBe(true);
  });
});

describe('value fidelity', () => {
  const values: Record<string, unknown> = {
    zero: 0,
    no: false,
    empty: '',
    nothing: null,
    negative: -42.5,
    fraction: 0.1 + 0.2,
    maxSafe: 2 ** 53 - 1,
    minSafe: -(2 ** 53 - 1),
    large: 1.5e120,
    small: 3.25e-120,
    bigInteger: 1e21,
    nested: { a: { b: { c: [1, 'two', { three: 3 }] } }, empty: {} },
    mixed: [0, false, '', null, 'x', 1.5, { k: [] }, [[]]],
    emptyArray: [],
    unicode: 'naïve café — 日本語 — 🎉 — \u0000 nul',
    encrypted: { $encrypted: 'b64:abcdef==', keyId: 'k1' },
    when: { $date: '2024-02-29T23:59:58.123Z' },
    deepDates: { list: [{ at: { $date: '2001-01-01T00:00:00.000Z' } }] },
    dateLike: '2024-01-01T00:00:00.000Z',
    'dash-key': 1,
    'space key': 2,
    '9lives': 3,
    ключ: 4,
    pk: 'not a key',
    sk: 'not a key either',
    d: 'not the data map',
    c: 'x',
    u: 'y',
    o: 'z',
    g1pk: 'not an index key',
    __proto__value: 'ok',
    constructor: 'not a function',
  };

  it('returns every value exactly as it went in', async () => {
    const a = await withCollection();
    const item = { _id: 'all', ...values };
    const res = await a.call('/v3/items/insert', { collectionId: 'things', items: [item] });
    const out = res.body.results[0].item;
    for (const [k, v] of Object.entries(values)) expect([k, out[k]]).toEqual([k, v]);
    const db = (await stored(a, 'things', ['all'])).get('all')!;
    for (const [k, v] of Object.entries(values)) expect([k, db[k]]).toEqual([k, v]);
    expect(Object.is(db.zero, 0)).toBe(true);
    expect(db.fraction).toBe(0.30000000000000004);
  });

  it('keeps a "__proto__" field as data, polluting nothing', async () => {
    const a = await withCollection();
    const body = JSON.parse('{"_id":"proto","__proto__":{"polluted":true},"title":"t"}') as Record<
      string,
      unknown
    >;
    const res = await a.call('/v3/items/insert', { collectionId: 'things', items: [body] });
    expect(res.body.results[0].item.title).toBe('t');
    const db = (await stored(a, 'things', ['proto'])).get('proto')!;
    expect(Object.prototype.hasOwnProperty.call(db, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('normalises dates to milliseconds and UTC', async () => {
    const a = await withCollection();
    const res = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [{ _id: 'd', a: { $date: '2024-05-01T10:00:00Z' }, b: { $date: '2024-05-01T12:00:00+02:00' } }],
    });
    expect(res.body.results[0].item.a).toEqual({ $date: '2024-05-01T10:00:00.000Z' });
    expect(res.body.results[0].item.b).toEqual({ $date: '2024-05-01T10:00:00.000Z' });
  });
});

describe('items/update', () => {
  it('replaces user fields, keeps _createdDate and _owner, bumps _updatedDate, returns what is stored', async () => {
    const a = await withCollection();
    const ins = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [{ _id: 'u1', title: 'old', gone: 'soon', _owner: 'alice' }],
    });
    const before = ins.body.results[0].item;
    await new Promise((r) => setTimeout(r, 5));
    const res = await a.call('/v3/items/update', {
      collectionId: 'things',
      items: [
        {
          _id: 'u1',
          title: 'new',
          extra: 0,
          _owner: 'mallory',
          _createdDate: { $date: '1999-01-01T00:00:00.000Z' },
        },
      ],
    });
    const after = res.body.results[0].item;
    expect(after).toEqual({
      _id: 'u1',
      title: 'new',
      extra: 0,
      _owner: 'alice',
      _createdDate: before._createdDate,
      _updatedDate: expect.objectContaining({ $date: expect.stringMatching(ISO_MS) }),
    });
    expect(after._updatedDate.$date > before._updatedDate.$date).toBe(true);
    expect((await stored(a, 'things', ['u1'])).get('u1')).toEqual(after);
  });

  it('answers ITEM_NOT_FOUND per missing item and updates the others', async () => {
    const a = await withCollection();
    await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: 'here' }] });
    const res = await a.call('/v3/items/update', {
      collectionId: 'things',
      items: [
        { _id: 'ghost', title: 'x' },
        { _id: 'here', title: 'y' },
      ],
    });
    expect(res.body.results[0]).toEqual({
      error: { errorCode: 'ITEM_NOT_FOUND', errorMessage: expect.any(String), data: { itemId: 'ghost' } },
    });
    expect(res.body.results[1].item.title).toBe('y');
    expect((await stored(a, 'things', ['ghost'])).size).toBe(0); // no upsert
  });

  it('requires _id on every item', async () => {
    const a = await withCollection();
    const res = await a.call('/v3/items/update', { collectionId: 'things', items: [{ title: 'no id' }] });
    expect([res.status, res.body.data.violations[0].fieldPath]).toEqual([400, 'items[0]._id']);
  });

  it('applies repeated ids of one request in order', async () => {
    const a = await withCollection();
    await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: 'r' }] });
    const res = await a.call('/v3/items/update', {
      collectionId: 'things',
      items: [
        { _id: 'r', v: 1 },
        { _id: 'r', v: 2 },
        { _id: 'r', v: 3 },
      ],
    });
    expect(res.body.results.map((x: { item: { v: number } }) => x.item.v)).toEqual([1, 2, 3]);
    expect((await stored(a, 'things', ['r'])).get('r')!.v).toBe(3);
  });
});

describe('items/remove', () => {
  it('returns each removed item as it was and ITEM_NOT_FOUND for missing ids', async () => {
    const a = await withCollection();
    const ins = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [{ _id: 'x', title: 'X', n: 0 }],
    });
    const res = await a.call('/v3/items/remove', { collectionId: 'things', itemIds: ['x', 'missing', 'x'] });
    expect(res.body.results[0]).toEqual({ item: ins.body.results[0].item });
    expect(res.body.results[1].error).toMatchObject({
      errorCode: 'ITEM_NOT_FOUND',
      data: { itemId: 'missing' },
    });
    expect(res.body.results[2].error.errorCode).toBe('ITEM_NOT_FOUND');
    expect((await stored(a, 'things', ['x'])).size).toBe(0);
  });

  it('validates itemIds', async () => {
    const a = await withCollection();
    for (const itemIds of [[], 'x', [1], [''], undefined]) {
      const res = await a.call('/v3/items/remove', { collectionId: 'things', itemIds });
      expect([res.status, res.body.errorCode]).toEqual([400, 'VALIDATION_ERROR']);
    }
  });
});

describe('items/truncate', () => {
  it('empties 3,000 items with a constant number of requests, then purges the old partition', async () => {
    const a = await withCollection();
    for (let start = 0; start < 3000; start += 1000) {
      const items = Array.from({ length: 1000 }, (_, i) => ({ _id: `t${start + i}`, n: start + i }));
      await a.call('/v3/items/insert', { collectionId: 'things', items });
    }
    const oldPk = await currentPartition(a, 'things');
    expect(await partitionCount(a, oldPk)).toBe(3000);

    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/truncate', { collectionId: 'things' });
    expect(res).toEqual({ status: 200, body: {} });
    // O(1): one metadata read and one transaction, whatever the size (the purge runs apart)
    expect(a.deps.db.stats.requests.TransactWriteItemsCommand).toBe(1);
    expect(a.deps.db.stats.requests.GetItemCommand).toBe(1);

    const newPk = await currentPartition(a, 'things');
    expect(newPk).not.toBe(oldPk);
    expect(await partitionCount(a, newPk)).toBe(0);
    expect((await stored(a, 'things', ['t1', 't2999'])).size).toBe(0);

    // the collection keeps working at once
    const again = await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: [{ _id: 't1', n: 'fresh' }],
    });
    expect(again.body.results[0].item.n).toBe('fresh');

    await purgesIdle(a);
    expect(await partitionCount(a, oldPk)).toBe(0);
    expect(a.deps.db.stats.requests.BatchWriteItemCommand).toBeGreaterThanOrEqual(120); // 3000 / 25
  });

  it('works on an empty collection, twice', async () => {
    const a = await withCollection();
    expect((await a.call('/v3/items/truncate', { collectionId: 'things' })).status).toBe(200);
    expect((await a.call('/v3/items/truncate', { collectionId: 'things' })).status).toBe(200);
    await purgesIdle(a);
  });

  it('keeps collection metadata intact and leaves no purge marker behind', async () => {
    const a = await withCollection();
    await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: '1' }] });
    const before = (await a.call('/v3/collections/get', { collectionIds: ['things'] })).body.collections[0];
    await a.call('/v3/items/truncate', { collectionId: 'things' });
    await purgesIdle(a);
    const after = (await a.call('/v3/collections/get', { collectionIds: ['things'] })).body.collections[0];
    expect(after).toEqual(before);
    const { pendingPurges } = await import('../../lambda/store/purge');
    const mine = (await pendingPurges(a.deps.db, 0, new Date(Date.now() + 1000))).filter(
      (j) => j.tenant === a.tenant,
    );
    expect(mine).toEqual([]);
  });
});

describe('collections/delete purges items', () => {
  it('removes the items of a deleted collection, and a re-created one starts empty', async () => {
    const a = await withCollection();
    await a.call('/v3/items/insert', {
      collectionId: 'things',
      items: Array.from({ length: 60 }, (_, i) => ({ _id: `i${i}` })),
    });
    const oldPk = await currentPartition(a, 'things');
    expect((await a.call('/v3/collections/delete', { collectionId: 'things' })).status).toBe(200);
    await a.call('/v3/collections/create', { collection: { id: 'things', fields: [] } });
    expect(await partitionCount(a, await currentPartition(a, 'things'))).toBe(0);
    await purgesIdle(a);
    expect(await partitionCount(a, oldPk)).toBe(0);
  });
});

describe('tenancy', () => {
  it('tenant B cannot write into, read, remove or truncate tenant A items', async () => {
    const a = await withCollection('shared-name');
    const b = createTestAdaptor();
    await a.call('/v3/items/insert', { collectionId: 'shared-name', items: [{ _id: 'secret', v: 1 }] });
    expect(
      (await b.call('/v3/items/insert', { collectionId: 'shared-name', items: [{ _id: 'x' }] })).status,
    ).toBe(404);
    expect(
      (await b.call('/v3/items/update', { collectionId: 'shared-name', items: [{ _id: 'secret' }] })).status,
    ).toBe(404);
    expect(
      (await b.call('/v3/items/remove', { collectionId: 'shared-name', itemIds: ['secret'] })).status,
    ).toBe(404);
    expect((await b.call('/v3/items/truncate', { collectionId: 'shared-name' })).status).toBe(404);
    expect((await stored(a, 'shared-name', ['secret'])).get('secret')!.v).toBe(1);
  });
});

it('counts requests so benchmarks can report them', async () => {
  const a = await withCollection();
  resetStats(a.deps.db.stats);
  await a.call('/v3/items/insert', { collectionId: 'things', items: [{ _id: 'one' }] });
  expect(totalRequests(a.deps.db.stats)).toBe(2); // metadata GetItem + PutItem
});
