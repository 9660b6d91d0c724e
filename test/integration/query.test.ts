/** Query and count against DynamoDB Local: paging that fills, totals, cursors, projection, tenancy. */
import { resetStats } from '../../lambda/store/client';
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';

const FIELDS = [
  { key: 'n', type: 'NUMBER' },
  { key: 'kind', type: 'TEXT' },
  { key: 'tags', type: 'ARRAY_STRING' },
  { key: 'address', type: 'ADDRESS' },
  { key: 'flag', type: 'BOOLEAN' },
];

async function seeded(count = 200): Promise<{ a: TestAdaptor; items: Record<string, any>[] }> {
  const a = createTestAdaptor();
  await a.call('/v3/collections/create', { collection: { id: 'c', fields: FIELDS } });
  const items = Array.from({ length: count }, (_, i) => ({
    _id: `i${String(i).padStart(4, '0')}`,
    n: i,
    // matches are rare and all near the end, so a naive Limit-based page would come back short
    kind: i % 40 === 39 ? 'rare' : 'common',
    tags: i % 3 === 0 ? ['x', 'y'] : ['z'],
    address: { city: i % 2 ? 'Paris' : 'Rome' },
    flag: i % 2 === 0,
  }));
  const res = await a.call('/v3/items/insert', { collectionId: 'c', items });
  return { a, items: res.body.results.map((r: { item: unknown }) => r.item) };
}

const ids = (body: { items: { _id: string }[] }) => body.items.map((i) => i._id);

describe('query', () => {
  it('fills a filtered page whenever enough matches exist', async () => {
    const { a } = await seeded(400);
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { kind: 'rare' }, paging: { limit: 10 } },
    });
    expect(ids(res.body)).toEqual(
      Array.from({ length: 10 }, (_, k) => `i${String(40 * k + 39).padStart(4, '0')}`),
    );
    expect(res.body.pagingMetadata).toEqual({ count: 10, offset: 0 });
  });

  it('answers exact totals with offset paging, default order _id ASC', async () => {
    const { a } = await seeded();
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { n: { $gte: 50 } }, paging: { limit: 7, offset: 20 } },
      returnTotalCount: true,
    });
    expect(ids(res.body)).toEqual(['i0070', 'i0071', 'i0072', 'i0073', 'i0074', 'i0075', 'i0076']);
    expect(res.body.pagingMetadata).toEqual({ count: 7, offset: 20, total: 150 });
  });

  it('defaults to 50 items and accepts a query with no filter', async () => {
    const { a } = await seeded(120);
    const res = await a.call('/v3/items/query', { collectionId: 'c', query: {} });
    expect(res.body.items).toHaveLength(50);
    expect(res.body.items[0]._id).toBe('i0000');
  });

  it('sorts by several keys with _id as the final tie-break, on any field', async () => {
    const { a, items } = await seeded(60);
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: {
        sort: [
          { fieldName: 'flag', order: 'DESC' },
          { fieldName: 'address.city', order: 'ASC' },
        ],
        paging: { limit: 60 },
      },
    });
    const expected = [...items]
      .sort(
        (x, y) =>
          Number(y.flag) - Number(x.flag) ||
          x.address.city.localeCompare(y.address.city) ||
          x._id.localeCompare(y._id),
      )
      .map((i) => i._id);
    expect(ids(res.body)).toEqual(expected);
  });

  it('orders values of mixed types deterministically', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', { collection: { id: 'm', fields: [] } });
    await a.call('/v3/items/insert', {
      collectionId: 'm',
      items: [
        { _id: 'str', v: 'a' },
        { _id: 'num', v: 2 },
        { _id: 'nul', v: null },
        { _id: 'none' },
        { _id: 'bool', v: true },
        { _id: 'date', v: { $date: '2020-01-01T00:00:00.000Z' } },
        { _id: 'obj', v: { a: 1 } },
      ],
    });
    const asc = await a.call('/v3/items/query', {
      collectionId: 'm',
      query: { sort: [{ fieldName: 'v', order: 'ASC' }] },
    });
    expect(ids(asc.body)).toEqual(['none', 'nul', 'bool', 'num', 'str', 'date', 'obj']);
    const desc = await a.call('/v3/items/query', {
      collectionId: 'm',
      query: { sort: [{ fieldName: 'v', order: 'DESC' }] },
    });
    // missing and null rank together; the _id tie-break stays ascending
    expect(ids(desc.body)).toEqual(['obj', 'date', 'str', 'num', 'bool', 'none', 'nul']);
  });

  it('walks cursor pages to the end with a stable order and no duplicates', async () => {
    const { a } = await seeded(95);
    const seen: string[] = [];
    let res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: {
        filter: { tags: { $hasSome: ['x'] } },
        sort: [{ fieldName: 'n', order: 'DESC' }],
        cursorPaging: { limit: 7 },
      },
      returnTotalCount: true,
    });
    expect(res.body.pagingMetadata.total).toBe(32);
    for (;;) {
      seen.push(...ids(res.body));
      const next = res.body.pagingMetadata.cursors.next;
      if (!next) break;
      expect(res.body.items).toHaveLength(7);
      // follow-ups carry only the cursor, as Wix sends them
      res = await a.call('/v3/items/query', { collectionId: 'c', query: { cursorPaging: { cursor: next } } });
    }
    const expected = Array.from({ length: 95 }, (_, i) => i)
      .filter((i) => i % 3 === 0)
      .reverse()
      .map((i) => `i${String(i).padStart(4, '0')}`);
    expect(seen).toEqual(expected);
  });

  it('resumes _id-ordered cursor pages with a key condition (page N reads what page 1 reads)', async () => {
    const { a } = await seeded(300);
    let res = await a.call('/v3/items/query', { collectionId: 'c', query: { cursorPaging: { limit: 20 } } });
    resetStats(a.deps.db.stats);
    await a.call('/v3/items/query', { collectionId: 'c', query: { cursorPaging: { limit: 20 } } });
    const firstRead = a.deps.db.stats.itemsRead;
    for (let page = 0; page < 10; page++) {
      res = await a.call('/v3/items/query', {
        collectionId: 'c',
        query: { cursorPaging: { cursor: res.body.pagingMetadata.cursors.next } },
      });
    }
    resetStats(a.deps.db.stats);
    const eleventh = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { cursorPaging: { cursor: res.body.pagingMetadata.cursors.next } },
    });
    expect(eleventh.body.items[0]._id).toBe('i0220');
    expect(a.deps.db.stats.itemsRead).toBe(firstRead);
  });

  it('returns only the projected fields plus _id, nested paths included', async () => {
    const { a } = await seeded(3);
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { fields: ['n', 'address.city', 'missing'] },
    });
    expect(res.body.items[1]).toEqual({ _id: 'i0001', n: 1, address: { city: 'Paris' } });
  });

  it('reads _id lookups with GetItem / BatchGetItem and nothing else', async () => {
    const { a } = await seeded(50);
    resetStats(a.deps.db.stats);
    const one = await a.call('/v3/items/query', { collectionId: 'c', query: { filter: { _id: 'i0007' } } });
    expect(ids(one.body)).toEqual(['i0007']);
    expect(a.deps.db.stats.requests).toEqual({ GetItemCommand: 2 }); // collection metadata + the item
    resetStats(a.deps.db.stats);
    const set = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { _id: { $in: ['i0009', 'i0003', 'nope'] }, n: { $gt: 4 } } },
      returnTotalCount: true,
    });
    expect(ids(set.body)).toEqual(['i0009']);
    expect(set.body.pagingMetadata.total).toBe(1);
    expect(a.deps.db.stats.requests.QueryCommand).toBeUndefined();
  });

  it('honours consistentRead', async () => {
    const { a } = await seeded(5);
    const res = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { filter: { n: 1 } },
      consistentRead: true,
    });
    expect(ids(res.body)).toEqual(['i0001']);
  });

  it('answers 404 for an unknown collection and keeps tenants apart', async () => {
    const { a } = await seeded(5);
    const b = createTestAdaptor();
    expect((await b.call('/v3/items/query', { collectionId: 'c', query: {} })).status).toBe(404);
    expect((await b.call('/v3/items/count', { collectionId: 'c', filter: {} })).status).toBe(404);
    const page = await a.call('/v3/items/query', {
      collectionId: 'c',
      query: { cursorPaging: { limit: 2 } },
    });
    const stolen = await b.call('/v3/collections/create', { collection: { id: 'c', fields: [] } });
    expect(stolen.status).toBe(200);
    const forged = await b.call('/v3/items/query', {
      collectionId: 'c',
      query: { cursorPaging: { cursor: page.body.pagingMetadata.cursors.next } },
    });
    expect([forged.status, forged.body.errorCode]).toEqual([400, 'VALIDATION_ERROR']);
    expect(forged.body.items).toBeUndefined();
  });
});

describe('count', () => {
  it('counts exactly with any filter, pushing COUNT to DynamoDB when it can', async () => {
    const { a } = await seeded(250);
    resetStats(a.deps.db.stats);
    const exact = await a.call('/v3/items/count', { collectionId: 'c', filter: { kind: 'rare' } });
    expect(exact.body).toEqual({ totalCount: 6 });
    const memory = await a.call('/v3/items/count', {
      collectionId: 'c',
      filter: { 'address.city': { $contains: 'ARI' } },
    });
    expect(memory.body).toEqual({ totalCount: 125 });
    const all = await a.call('/v3/items/count', { collectionId: 'c', filter: {} });
    expect(all.body).toEqual({ totalCount: 250 });
    const byId = await a.call('/v3/items/count', {
      collectionId: 'c',
      filter: { _id: { $in: ['i0001', 'i0002', 'x'] } },
    });
    expect(byId.body).toEqual({ totalCount: 2 });
  });
});

describe('collections advertise query support', () => {
  it('lists QUERY and COUNT among the data operations', async () => {
    const { a } = await seeded(1);
    const c = (await a.call('/v3/collections/get', { collectionIds: ['c'] })).body.collections[0];
    expect(c.capabilities.dataOperations).toEqual(
      expect.arrayContaining(['QUERY', 'COUNT', 'INSERT', 'UPDATE', 'REMOVE', 'TRUNCATE']),
    );
  });
});
