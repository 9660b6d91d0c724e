/**
 * Aggregate and distinct through ACTIVE indexes (service/indexMatches.ts): for each filter of the
 * table, the answer equals the same request with consistentRead (which never reads an index) and
 * an in-memory reference, and the items DynamoDB reads are at most what the index's key condition
 * selects, not the collection. One collection of a few hundred items, built once.
 */
import { randomUUID } from 'node:crypto';
import { buildsIdle, createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { matchesFilter, type Item } from '../helpers/queryRef';

const C = 'shop';
const N = 300;
const CATEGORIES = ['toys', 'books', 'garden', 'games', 'music', 'tools'];
const COLORS = ['red', 'blue', 'green', 'black', 'white'];

/** Categories (some missing, some differing only in case), decimal prices (some null or missing). */
function dataset(): Item[] {
  return Array.from({ length: N }, (_, i) => {
    const item: Item = {
      _id: `a${String(i).padStart(3, '0')}`,
      qty: i % 5,
      color: COLORS[Math.floor(i / 3) % 5],
    };
    if (i % 17 !== 0) item.category = i % 23 === 0 ? 'Toys' : CATEGORIES[i % CATEGORIES.length];
    if (i % 11 === 0) item.price = null;
    else if (i % 13 !== 0) item.price = ((i * 37) % 100) + (i % 4) / 4;
    if (i % 10 !== 0) item.tags = i % 3 === 0 ? ['sale', 'new'] : ['new'];
    return item;
  });
}

let a: TestAdaptor;
let items: Item[];

beforeAll(async () => {
  a = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: `legacy-secret-${randomUUID()}` }) });
  const fields = [
    { key: 'category', type: 'TEXT' },
    { key: 'price', type: 'NUMBER' },
    { key: 'qty', type: 'NUMBER' },
    { key: 'color', type: 'TEXT' },
    { key: 'tags', type: 'ARRAY_STRING' },
  ];
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields } })).status).toBe(200);
  const res = await a.call('/v3/items/insert', { collectionId: C, items: dataset() });
  expect(res.status).toBe(200);
  items = res.body.results.map((r: { item: Item }) => r.item);
  expect(items).toHaveLength(N);
  // built over existing items: the backfill writes the index entries
  for (const index of [
    { name: 'category', fields: [{ path: 'category' }], caseInsensitive: true },
    { name: 'price', fields: [{ path: 'price' }] },
    { name: 'categoryQty', fields: [{ path: 'category' }, { path: 'qty' }] },
  ]) {
    expect((await a.call('/v3/indexes/create', { collectionId: C, index })).status).toBe(200);
  }
  await buildsIdle(a);
  const listed = await a.call('/v3/indexes/list', { collectionId: C });
  expect(listed.body.indexes.map((i: { status: string }) => i.status)).toEqual([
    'ACTIVE',
    'ACTIVE',
    'ACTIVE',
  ]);
}, 120_000);

/** Runs `call` and returns its answer with the items DynamoDB read for it. */
async function metered<T>(call: () => Promise<T>): Promise<{ res: T; read: number }> {
  await buildsIdle(a);
  const before = a.deps.db.stats.itemsRead;
  const res = await call();
  return { res, read: a.deps.db.stats.itemsRead - before };
}

interface Case {
  name: string;
  filter: Record<string, unknown>;
  /**
   * The items the chosen index's key condition selects (a superset of the matches), or undefined
   * when no index bounds the filter (the base table is read whole).
   */
  keyRange: ((item: Item) => boolean) | undefined;
}

const folded = (i: Item) => (typeof i.category === 'string' ? i.category.toLowerCase() : undefined);

const CASES: Case[] = [
  // the category index folds case: 'Toys' is read too, and dropped by the in-memory check
  { name: 'equality', filter: { category: 'toys' }, keyRange: (i) => folded(i) === 'toys' },
  {
    name: '$in',
    filter: { category: { $in: ['books', 'toys', 'nowhere'] } },
    // the legacy call sends it as `$hasSome`: the same values, plus any array (there is none)
    keyRange: (i) => folded(i) === 'books' || folded(i) === 'toys',
  },
  {
    name: 'range',
    filter: { price: { $gte: 20, $lt: 45 } },
    keyRange: (i) => typeof i.price === 'number' && i.price >= 20 && i.price < 45,
  },
  {
    name: '$startsWith',
    filter: { category: { $startsWith: 'GA' } },
    keyRange: (i) => folded(i)?.startsWith('ga') === true,
  },
  {
    // the two-field index bounds three fields' worth (an equality, then a range): it beats category
    name: 'equality + range on two fields',
    filter: { category: 'books', qty: { $gt: 2 } },
    keyRange: (i) => i.category === 'books' && (i.qty as number) > 2,
  },
  {
    name: 'an extra non-indexed conjunct',
    filter: { category: 'games', color: { $ne: 'red' } },
    keyRange: (i) => folded(i) === 'games',
  },
  { name: 'no index bounds it', filter: { color: 'blue', qty: { $lt: 3 } }, keyRange: undefined },
  { name: 'matching nothing', filter: { category: 'atlantis' }, keyRange: (i) => folded(i) === 'atlantis' },
  { name: 'a range no value satisfies', filter: { price: { $gt: 80, $lt: 10 } }, keyRange: () => false },
];

/** Decimal-exact sum (the prices are multiples of 0.25). */
const sumQuarters = (xs: number[]) => xs.reduce((s, x) => s + Math.round(x * 4), 0) / 4;

/** The aggregate rows of `rows`, as the service computes them (before finalFilter, sort and paging). */
function reference(rows: Item[], grouped: boolean): Item[] {
  const groups = new Map<string, Item[]>();
  for (const r of rows) {
    const key = grouped ? String(r.color) : '';
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  if (!grouped && groups.size === 0) groups.set('', []);
  return [...groups.entries()].map(([color, group]) => {
    const prices = group.map((r) => r.price).filter((p): p is number => typeof p === 'number');
    const total = sumQuarters(prices);
    return {
      ...(grouped ? { color } : {}),
      total,
      avg: prices.length ? total / prices.length : null,
      lo: prices.length ? Math.min(...prices) : null,
      hi: prices.length ? Math.max(...prices) : null,
      n: group.length,
    };
  });
}

const OPERATIONS = [
  { resultFieldName: 'total', sum: { itemFieldName: 'price' } },
  { resultFieldName: 'avg', average: { itemFieldName: 'price' } },
  { resultFieldName: 'lo', min: { itemFieldName: 'price' } },
  { resultFieldName: 'hi', max: { itemFieldName: 'price' } },
  { resultFieldName: 'n', itemCount: {} },
];

function groupedRequest(filter: unknown, consistentRead: boolean) {
  return {
    collectionId: C,
    initialFilter: filter,
    aggregation: { groupingFields: ['color'], operations: OPERATIONS },
    finalFilter: { n: { $gt: 1 } },
    sort: [{ fieldName: 'total', order: 'DESC' }],
    paging: { limit: 3, offset: 1 },
    returnTotalCount: true,
    consistentRead,
  };
}

/** The grouped answer: groups of more than one row, by total DESC then color, page 2..4. */
function groupedReference(matching: Item[]) {
  const rows = reference(matching, true)
    .filter((r) => (r.n as number) > 1)
    .sort(
      (x, y) => (y.total as number) - (x.total as number) || String(x.color).localeCompare(String(y.color)),
    );
  return { items: rows.slice(1, 4), total: rows.length };
}

function distinctRequest(filter: unknown, fieldName: string, order: 'ASC' | 'DESC', consistentRead: boolean) {
  return {
    collectionId: C,
    filter,
    fieldName,
    order,
    paging: { limit: 50 },
    returnTotalCount: true,
    consistentRead,
  };
}

function distinctReference(matching: Item[], fieldName: 'color' | 'tags', order: 'ASC' | 'DESC'): string[] {
  const values = new Set<string>();
  for (const r of matching) {
    const v = r[fieldName];
    if (Array.isArray(v)) v.forEach((x) => values.add(String(x)));
    else if (typeof v === 'string') values.add(v);
  }
  const sorted = [...values].sort();
  return order === 'DESC' ? sorted.reverse() : sorted;
}

/** The legacy dialect names `$in` `$hasSome` (protocol/legacy/filter.ts). */
const legacyFilter = (filter: unknown): unknown =>
  JSON.parse(JSON.stringify(filter).replaceAll('"$in":', '"$hasSome":'));

/** The items the indexed read may read at most: those of the key condition (none when it is empty). */
function readBound(c: Case): number {
  return c.keyRange ? items.filter(c.keyRange).length : N;
}

describe.each(CASES)('aggregate and distinct with $name', (c) => {
  const matching = () => items.filter((i) => matchesFilter(i, c.filter));

  it('groups, aggregates, filters, sorts and pages as the base table and the reference do', async () => {
    const indexed = await metered(() => a.call('/v3/items/aggregate', groupedRequest(c.filter, false)));
    const base = await metered(() => a.call('/v3/items/aggregate', groupedRequest(c.filter, true)));
    expect(indexed.res.status).toBe(200);
    expect(base.res.status).toBe(200);
    const want = groupedReference(matching());
    expect(indexed.res.body.items).toEqual(want.items);
    expect(indexed.res.body.pagingMetadata.total).toBe(want.total);
    expect(indexed.res.body).toEqual(base.res.body);
    // consistentRead never reads an index: the whole collection
    expect(base.read).toBeGreaterThanOrEqual(N);
    if (c.keyRange) expect(indexed.read).toBeLessThanOrEqual(readBound(c));
    else expect(indexed.read).toBeGreaterThanOrEqual(N);
  });

  it('aggregates over every match with no grouping', async () => {
    const request = (consistentRead: boolean) => ({
      collectionId: C,
      initialFilter: c.filter,
      aggregation: { operations: OPERATIONS },
      consistentRead,
    });
    const indexed = await metered(() => a.call('/v3/items/aggregate', request(false)));
    const base = await a.call('/v3/items/aggregate', request(true));
    expect(indexed.res.status).toBe(200);
    expect(indexed.res.body.items).toEqual(reference(matching(), false));
    expect(indexed.res.body.items).toEqual(base.body.items);
    if (c.keyRange) expect(indexed.read).toBeLessThanOrEqual(readBound(c));
  });

  it.each([
    ['color', 'ASC'],
    ['tags', 'DESC'],
  ] as const)(
    'lists the distinct values of %s (%s) as the base table and the reference do',
    async (field, order) => {
      const indexed = await metered(() =>
        a.call('/v3/items/query-distinct-values', distinctRequest(c.filter, field, order, false)),
      );
      const base = await metered(() =>
        a.call('/v3/items/query-distinct-values', distinctRequest(c.filter, field, order, true)),
      );
      expect(indexed.res.status).toBe(200);
      const want = distinctReference(matching(), field, order);
      expect(indexed.res.body.distinctValues).toEqual(want);
      expect(indexed.res.body.pagingMetadata.total).toBe(want.length);
      expect(indexed.res.body).toEqual(base.res.body);
      expect(base.read).toBeGreaterThanOrEqual(N);
      if (c.keyRange) expect(indexed.read).toBeLessThanOrEqual(readBound(c));
      else expect(indexed.read).toBeGreaterThanOrEqual(N);
    },
  );

  it('answers the legacy /data/aggregate through the index too', async () => {
    const { res, read } = await metered(() =>
      a.legacy('/data/aggregate', {
        collectionName: C,
        filter: legacyFilter(c.filter),
        processingStep: { _id: { color: '$color' }, total: { $sum: '$price' }, n: { $sum: 1 } },
      }),
    );
    expect(res.status).toBe(200);
    const rows = res.body.items.map(({ _id, ...rest }: Item) => rest);
    const want = reference(matching(), true).map(({ color, total, n }) => ({ color, total, n }));
    const byColor = (x: Item, y: Item) => String(x.color).localeCompare(String(y.color));
    expect([...rows].sort(byColor)).toEqual(want.sort(byColor));
    if (c.keyRange) expect(read).toBeLessThanOrEqual(readBound(c));
    else expect(read).toBeGreaterThanOrEqual(N);
  });
});

describe('what the table covers', () => {
  it('has key ranges that hold every match, read far less than the collection, or nothing', () => {
    const bounds = CASES.filter((c) => c.keyRange).map(readBound);
    expect(Math.max(...bounds)).toBeLessThan(N / 2);
    expect(bounds).toContain(0);
    for (const c of CASES) {
      const matching = items.filter((i) => matchesFilter(i, c.filter));
      if (c.keyRange) expect(matching.every(c.keyRange)).toBe(true);
      if (c.name !== 'matching nothing' && c.name !== 'a range no value satisfies')
        expect(matching.length).toBeGreaterThan(1);
    }
  });
});
