/**
 * PAGING_MODE (issue 12 item 7), V3 end to end under both settings: what collections report, and
 * Wix's cursor requests (a first `cursorPaging` page, then follow-ups carrying only the cursor) for
 * every sort, index-backed or not, one page per request.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '../../lambda/config';
import { buildsIdle, createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { createForeignTable, orderItems, ordersTable, putForeignItems } from '../helpers/foreignTables';

const COUNT = 45;
const ORDERS = `orders-${randomUUID()}`;
const items = Array.from({ length: COUNT }, (_, i) => ({
  _id: `i${String(i).padStart(3, '0')}`,
  // ties on purpose: the cursor's position must carry the _id tie-break
  price: (i * 7) % 15,
  name: `n${(i * 11) % 45}`,
  kind: i % 3 === 0 ? 'a' : 'b',
}));

type Item = (typeof items)[number];
const byThen =
  (key: 'price' | 'name', desc = false) =>
  (x: Item, y: Item) => {
    const c = x[key] < y[key] ? -1 : x[key] > y[key] ? 1 : 0;
    return (desc ? -c : c) || (x._id < y._id ? -1 : 1);
  };

async function seeded(env: Record<string, string> = {}): Promise<TestAdaptor> {
  const a = createTestAdaptor({ deps: testDeps(env) });
  await a.call('/v3/collections/create', {
    collection: {
      id: 'c',
      fields: [
        { key: 'price', type: 'NUMBER' },
        { key: 'name', type: 'TEXT' },
        { key: 'kind', type: 'TEXT' },
      ],
    },
  });
  expect((await a.call('/v3/items/insert', { collectionId: 'c', items })).status).toBe(200);
  return a;
}

/** Walks a cursor query to its end: the first request as given, then only the cursor. */
async function walk(a: TestAdaptor, query: Record<string, unknown>, limit: number, extra = {}) {
  const pages: { ids: string[]; metadata: Record<string, any> }[] = [];
  let request: Record<string, unknown> = { ...query, cursorPaging: { limit } };
  for (let n = 0; n < 50; n++) {
    const res = await a.call('/v3/items/query', { collectionId: 'c', query: request, ...extra });
    expect(res.status).toBe(200);
    pages.push({ ids: res.body.items.map((i: Item) => i._id), metadata: res.body.pagingMetadata });
    const next = res.body.pagingMetadata.cursors.next;
    if (next === null) return pages;
    request = { cursorPaging: { cursor: next } };
  }
  throw new Error('the cursor never ended');
}

const SORTS: [string, Record<string, unknown>, (x: Item, y: Item) => number][] = [
  ['no sort (_id order)', {}, (x, y) => (x._id < y._id ? -1 : 1)],
  ['_id DESC', { sort: [{ fieldName: '_id', order: 'DESC' }] }, (x, y) => (x._id < y._id ? 1 : -1)],
  ['price ASC (indexed)', { sort: [{ fieldName: 'price', order: 'ASC' }] }, byThen('price')],
  ['name DESC (no index)', { sort: [{ fieldName: 'name', order: 'DESC' }] }, byThen('name', true)],
];

describe('PAGING_MODE=CURSOR', () => {
  let a: TestAdaptor;
  beforeAll(async () => {
    a = await seeded({ PAGING_MODE: 'CURSOR' });
    const created = await a.call('/v3/indexes/create', {
      collectionId: 'c',
      index: { name: 'byPrice', fields: [{ path: 'price' }] },
    });
    expect(created.status).toBe(200);
    await buildsIdle(a);
    const listed = await a.call('/v3/indexes/list', { collectionId: 'c' });
    expect(listed.body.indexes[0].status).toBe('ACTIVE');
  }, 120_000);

  it('makes collections report pagingMode CURSOR in create, get and list answers', async () => {
    const created = await a.call('/v3/collections/create', { collection: { id: 'other', fields: [] } });
    expect(created.body.collection.pagingMode).toBe('CURSOR');
    const got = await a.call('/v3/collections/get', { collectionIds: ['c'] });
    expect(got.body.collections.map((c: { pagingMode: string }) => c.pagingMode)).toEqual(['CURSOR']);
    const all = await a.call('/v3/collections/get', {});
    expect(new Set(all.body.collections.map((c: { pagingMode: string }) => c.pagingMode))).toEqual(
      new Set(['CURSOR']),
    );
  });

  it.each(SORTS)(
    'walks %s page by page with follow-ups carrying only the cursor',
    async (_name, query, order) => {
      const pages = await walk(a, query, 10);
      expect(pages.map((p) => p.ids.length)).toEqual([10, 10, 10, 10, 5]);
      expect(pages.flatMap((p) => p.ids)).toEqual([...items].sort(order).map((i) => i._id));
      for (const p of pages) expect(p.metadata).toMatchObject({ count: p.ids.length });
      expect(pages.slice(0, -1).every((p) => typeof p.metadata.cursors.next === 'string')).toBe(true);
      expect(pages.at(-1)!.metadata.cursors).toEqual({ next: null, prev: null });
    },
  );

  it('keeps the filter and the total across follow-ups', async () => {
    const pages = await walk(a, { filter: { kind: 'a' }, sort: [{ fieldName: 'price' }] }, 4, {
      returnTotalCount: true,
    });
    const want = items.filter((i) => i.kind === 'a').sort(byThen('price'));
    expect(pages.flatMap((p) => p.ids)).toEqual(want.map((i) => i._id));
    expect(pages.every((p) => p.metadata.total === want.length)).toBe(true);
  });

  it('answers a query that sends no paging at all as a first cursor page', async () => {
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { sort: [{ fieldName: 'name' }] },
    });
    expect(res.body.items).toHaveLength(COUNT);
    expect(res.body.pagingMetadata).toEqual({ count: COUNT, cursors: { next: null, prev: null } });
    const paged = await a.call('/v3/items/query', { collectionId: 'c', query: {} });
    expect(paged.body.pagingMetadata.cursors).toEqual({ next: null, prev: null });
  });

  it('still answers an explicit offset page (Wix may hold an older collection definition)', async () => {
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { paging: { limit: 5, offset: 40 } },
    });
    expect(res.body.items.map((i: Item) => i._id)).toEqual(['i040', 'i041', 'i042', 'i043', 'i044']);
    expect(res.body.pagingMetadata).toEqual({ count: 5, offset: 40 });
  });
});

describe('PAGING_MODE=OFFSET (the default)', () => {
  let a: TestAdaptor;
  beforeAll(async () => {
    a = await seeded();
  }, 120_000);

  it('reports OFFSET and answers a query without paging with an offset', async () => {
    const got = await a.call('/v3/collections/get', { collectionIds: ['c'] });
    expect(got.body.collections[0].pagingMode).toBe('OFFSET');
    const res = await a.call('/v3/items/query', { collectionId: 'c', query: { paging: { limit: 3 } } });
    expect(res.body.pagingMetadata).toEqual({ count: 3, offset: 0 });
    const none = await a.call('/v3/items/query', { collectionId: 'c', query: {} });
    expect(none.body.pagingMetadata).toEqual({ count: COUNT, offset: 0 });
  });

  it('still serves cursor requests for every sort', async () => {
    for (const [, query, order] of SORTS) {
      const pages = await walk(a, query, 20);
      expect(pages.flatMap((p) => p.ids)).toEqual([...items].sort(order).map((i) => i._id));
    }
  });

  it('reports the deployment setting for a collection created under the other one', async () => {
    const cursorDeps = testDeps({ PAGING_MODE: 'CURSOR' });
    const same = createTestAdaptor({ deps: cursorDeps, tenant: a.tenant });
    const got = await same.call('/v3/collections/get', { collectionIds: ['c'] });
    expect(got.body.collections[0].pagingMode).toBe('CURSOR');
  });
});

describe('attached tables follow the setting', () => {
  beforeAll(async () => {
    const { db } = testDeps();
    await createForeignTable(db.client, ordersTable(ORDERS));
    await putForeignItems(db.client, ORDERS, orderItems(12));
  }, 60_000);

  it.each(['OFFSET', 'CURSOR'])('report %s', async (mode) => {
    const site = `site-${randomUUID()}`;
    const deps = testDeps({
      PAGING_MODE: mode,
      ATTACH_TABLES: JSON.stringify([{ table: ORDERS, collectionId: 'Orders', tenants: [site] }]),
    });
    const a = createTestAdaptor({ deps, tenant: site });
    const got = await a.call('/v3/collections/get', { collectionIds: ['Orders'] });
    expect(got.body.collections[0].pagingMode).toBe(mode);
    const page = await a.call('/v3/items/query', {
      collectionId: 'Orders',
      query: { cursorPaging: { limit: 5 } },
    });
    expect(page.body.items).toHaveLength(5);
    const rest = await a.call('/v3/items/query', {
      collectionId: 'Orders',
      query: { cursorPaging: { cursor: page.body.pagingMetadata.cursors.next } },
    });
    expect(rest.body.items).toHaveLength(5);
    expect(rest.body.items[0]._id).not.toBe(page.body.items[0]._id);
  });
});

describe('the PAGING_MODE setting', () => {
  it.each([
    [undefined, 'OFFSET'],
    ['', 'OFFSET'],
    ['offset', 'OFFSET'],
    ['CURSOR', 'CURSOR'],
    [' cursor ', 'CURSOR'],
  ])('reads %j as %s', (raw, mode) => {
    expect(loadConfig({ PAGING_MODE: raw }).pagingMode).toBe(mode);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig({ PAGING_MODE: 'pages' })).toThrow(ConfigError);
    expect(() => loadConfig({ PAGING_MODE: 'pages' })).toThrow(/PAGING_MODE/);
  });
});
