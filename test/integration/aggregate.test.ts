/** Aggregate and distinct values against DynamoDB Local, checked against hand computations. */
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';

const CITIES = ['Paris', 'Rome', 'Oslo', 'Lima'];

function dataset() {
  // deterministic pseudo-random data with decimals, negatives, nulls, missing values and wrong types
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: 230 }, (_, i) => {
    const item: Record<string, unknown> = {
      _id: `r${String(i).padStart(3, '0')}`,
      city: CITIES[i % 4],
      shop: { kind: i % 3 ? 'small' : 'big' },
    };
    const r = rnd();
    if (r < 0.8) item.price = Math.round((rnd() * 200 - 50) * 100) / 100;
    else if (r < 0.9) item.price = null;
    else if (r < 0.95) item.price = 'n/a';
    item.qty = i % 7;
    if (i % 5 === 0) item.tags = ['sale', i % 2 ? 'odd' : 'even'];
    else item.tags = ['new'];
    return item;
  });
}

/** Decimal-exact sum of numbers, as a person adds them (via integer cents: the data has 2 decimals). */
const sumCents = (xs: number[]) => xs.reduce((s, x) => s + Math.round(x * 100), 0) / 100;

async function seeded(): Promise<{ a: TestAdaptor; items: Record<string, any>[] }> {
  const a = createTestAdaptor();
  await a.call('/v3/collections/create', {
    collection: {
      id: 'sales',
      fields: [
        { key: 'city', type: 'TEXT' },
        { key: 'price', type: 'NUMBER' },
        { key: 'tags', type: 'ARRAY_STRING' },
      ],
    },
  });
  const items = dataset();
  const res = await a.call('/v3/items/insert', { collectionId: 'sales', items });
  expect(res.body.results.every((r: { item?: unknown }) => r.item)).toBe(true);
  return { a, items };
}

describe('aggregate', () => {
  it('groups, sums, averages, counts, min and max exactly as computed by hand', async () => {
    const { a, items } = await seeded();
    const res = await a.call('/v3/items/aggregate', {
      collectionId: 'sales',
      initialFilter: { qty: { $gt: 0 } },
      aggregation: {
        groupingFields: ['city'],
        operations: [
          { resultFieldName: 'total', sum: { itemFieldName: 'price' } },
          { resultFieldName: 'avg', average: { itemFieldName: 'price' } },
          { resultFieldName: 'lo', min: { itemFieldName: 'price' } },
          { resultFieldName: 'hi', max: { itemFieldName: 'qty' } },
          { resultFieldName: 'n', itemCount: {} },
          { resultFieldName: 'n2', count: {} },
        ],
      },
      sort: [{ fieldName: 'city', order: 'ASC' }],
      paging: { limit: 10 },
      returnTotalCount: true,
    });
    expect(res.status).toBe(200);
    const expected = [...CITIES].sort().map((city) => {
      const rows = items.filter((i) => i.city === city && (i.qty as number) > 0);
      const prices = rows.map((r) => r.price).filter((p): p is number => typeof p === 'number');
      const total = sumCents(prices);
      const pricedAndStrings = rows.map((r) => r.price).filter((p) => p !== null && p !== undefined);
      return {
        city,
        total,
        avg: prices.length ? total / prices.length : null,
        // min over present values in sort order: numbers sort before strings
        lo: pricedAndStrings.filter((p) => typeof p === 'number').length
          ? Math.min(...prices)
          : (pricedAndStrings[0] ?? null),
        hi: Math.max(...rows.map((r) => r.qty as number)),
        n: rows.length,
        n2: rows.length,
      };
    });
    expect(res.body.items).toEqual(expected);
    expect(res.body.pagingMetadata).toEqual({ count: 4, offset: 0, total: 4 });
    for (const row of res.body.items) expect(row._id).toBeUndefined();
  });

  it('sums decimals like a person does (0.1 + 0.2 = 0.3)', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', { collection: { id: 'd', fields: [] } });
    await a.call('/v3/items/insert', {
      collectionId: 'd',
      items: [{ v: 0.1 }, { v: 0.2 }, { v: 1e21 }, { v: -1e21 }],
    });
    const res = await a.call('/v3/items/aggregate', {
      collectionId: 'd',
      aggregation: {
        operations: [
          { resultFieldName: 's', sum: { itemFieldName: 'v' } },
          { resultFieldName: 'm', average: { itemFieldName: 'v' } },
        ],
      },
    });
    expect(res.body.items).toEqual([{ s: 0.3, m: 0.075 }]);
  });

  it('with no grouping aggregates over all rows; over no rows gives 0 / null / 0', async () => {
    const { a, items } = await seeded();
    const all = await a.call('/v3/items/aggregate', {
      collectionId: 'sales',
      aggregation: { operations: [{ resultFieldName: 'n', itemCount: {} }] },
    });
    expect(all.body.items).toEqual([{ n: items.length }]);
    const none = await a.call('/v3/items/aggregate', {
      collectionId: 'sales',
      initialFilter: { city: 'Atlantis' },
      aggregation: {
        operations: [
          { resultFieldName: 's', sum: { itemFieldName: 'price' } },
          { resultFieldName: 'a', average: { itemFieldName: 'price' } },
          { resultFieldName: 'm', max: { itemFieldName: 'price' } },
          { resultFieldName: 'n', itemCount: {} },
        ],
      },
    });
    expect(none.body.items).toEqual([{ s: 0, a: null, m: null, n: 0 }]);
  });

  it('groups on several fields and dotted paths, filters and sorts result rows, pages them', async () => {
    const { a, items } = await seeded();
    const base = {
      collectionId: 'sales',
      aggregation: {
        groupingFields: ['city', 'shop.kind'],
        operations: [{ resultFieldName: 'n', itemCount: {} }],
      },
      finalFilter: { n: { $gt: 19 } },
      sort: [{ fieldName: 'n', order: 'DESC' }],
      returnTotalCount: true,
    };
    const counts = new Map<string, number>();
    for (const i of items)
      counts.set(`${i.city}|${i.shop.kind}`, (counts.get(`${i.city}|${i.shop.kind}`) ?? 0) + 1);
    const expected = [...counts.entries()]
      .filter(([, n]) => n > 19)
      .map(([k, n]) => ({ city: k.split('|')[0], shop: { kind: k.split('|')[1] }, n }))
      .sort(
        (x, y) => y.n - x.n || x.city!.localeCompare(y.city!) || x.shop.kind!.localeCompare(y.shop.kind!),
      );
    const page1 = await a.call('/v3/items/aggregate', { ...base, paging: { limit: 3, offset: 0 } });
    const page2 = await a.call('/v3/items/aggregate', { ...base, paging: { limit: 3, offset: 3 } });
    expect([...page1.body.items, ...page2.body.items]).toEqual(expected);
    expect(page1.body.pagingMetadata.total).toBe(expected.length);

    // cursor paging walks the same rows
    const walked: unknown[] = [];
    let res = await a.call('/v3/items/aggregate', { ...base, cursorPaging: { limit: 2 } });
    for (;;) {
      walked.push(...res.body.items);
      const next = res.body.pagingMetadata.cursors.next;
      if (!next) break;
      res = await a.call('/v3/items/aggregate', { collectionId: 'sales', cursorPaging: { cursor: next } });
    }
    expect(walked).toEqual(expected);
  });

  it('behaves as a query when there is no aggregation', async () => {
    const { a } = await seeded();
    const res = await a.call('/v3/items/aggregate', {
      collectionId: 'sales',
      initialFilter: { city: 'Oslo' },
      sort: [{ fieldName: '_id', order: 'DESC' }],
      paging: { limit: 2 },
    });
    expect(res.body.items.map((i: { _id: string }) => i._id)).toEqual(['r226', 'r222']);
  });

  it('rejects malformed aggregations with 400', async () => {
    const { a } = await seeded();
    for (const aggregation of [
      { operations: [{ resultFieldName: 'x', median: { itemFieldName: 'price' } }] },
      { operations: [{ resultFieldName: 'x', sum: {} }] },
      { operations: [{ sum: { itemFieldName: 'price' } }] },
      { groupingFields: 'city' },
      { groupingFields: ['city'], operations: [{ resultFieldName: 'city', itemCount: {} }] },
    ]) {
      const res = await a.call('/v3/items/aggregate', { collectionId: 'sales', aggregation });
      expect([res.status, res.body.errorCode]).toEqual([400, 'VALIDATION_ERROR']);
    }
  });
});

describe('query-distinct-values', () => {
  it('unwinds arrays, orders, pages and counts', async () => {
    const { a } = await seeded();
    const asc = await a.call('/v3/items/query-distinct-values', {
      collectionId: 'sales',
      fieldName: 'tags',
      returnTotalCount: true,
    });
    expect(asc.body).toEqual({
      distinctValues: ['even', 'new', 'odd', 'sale'],
      pagingMetadata: { count: 4, offset: 0, total: 4 },
    });
    const desc = await a.call('/v3/items/query-distinct-values', {
      collectionId: 'sales',
      fieldName: 'city',
      order: 'DESC',
      filter: { city: { $ne: 'Rome' } },
      paging: { limit: 2, offset: 1 },
    });
    expect(desc.body.distinctValues).toEqual(['Lima', 'Oslo'].reverse().slice(0, 2).sort().reverse());
    const cursor1 = await a.call('/v3/items/query-distinct-values', {
      collectionId: 'sales',
      fieldName: 'city',
      cursorPaging: { limit: 3 },
    });
    expect(cursor1.body.distinctValues).toEqual(['Lima', 'Oslo', 'Paris']);
    const cursor2 = await a.call('/v3/items/query-distinct-values', {
      collectionId: 'sales',
      fieldName: 'city',
      cursorPaging: { cursor: cursor1.body.pagingMetadata.cursors.next },
    });
    expect(cursor2.body.distinctValues).toEqual(['Rome']);
    expect(cursor2.body.pagingMetadata.cursors.next).toBeNull();
  });

  it('skips missing and null values and keeps numbers, strings and dates apart', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', { collection: { id: 'v', fields: [] } });
    await a.call('/v3/items/insert', {
      collectionId: 'v',
      items: [{ x: 1 }, { x: '1' }, { x: null }, {}, { x: [1, 2] }, { x: { $date: '2020-01-01T00:00:00Z' } }],
    });
    const res = await a.call('/v3/items/query-distinct-values', { collectionId: 'v', fieldName: 'x' });
    expect(res.body.distinctValues).toEqual([1, 2, '1', { $date: '2020-01-01T00:00:00.000Z' }]);
  });
});
