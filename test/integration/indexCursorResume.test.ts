/**
 * Cursor follow-ups resume inside the index (issue 12 item 7): a follow-up whose sort an index's key
 * order serves, `_id` tie-break included, reads the GSI from the cursor's position, so each page
 * reads about limit + 1 items wherever it is in the walk (DynamoDB Local, items read through the
 * client's meter). Every walk equals the in-memory reference: nothing lost, nothing repeated.
 */
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { idsOf, referenceQuery, type Item, type WixSort } from '../helpers/queryRef';

const C = 'goods';
const N = 700;
const LIMIT = 30;
const LONG = 'n'.repeat(600);

let a: TestAdaptor;
let items: Item[];

beforeAll(async () => {
  a = createTestAdaptor();
  const fields = [
    { key: 'category', type: 'TEXT' },
    { key: 'price', type: 'NUMBER' },
    { key: 'name', type: 'TEXT' },
  ];
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields } })).status).toBe(200);
  for (const index of [
    { name: 'price', fields: [{ path: 'price' }] },
    { name: 'priceDesc', fields: [{ path: 'price', order: 'DESC' }] },
    { name: 'category', fields: [{ path: 'category' }] },
    { name: 'catPrice', fields: [{ path: 'category' }, { path: 'price', order: 'DESC' }] },
    { name: 'name', fields: [{ path: 'name' }] },
  ]) {
    expect((await a.call('/v3/indexes/create', { collectionId: C, index })).status).toBe(200);
  }
  await buildsIdle(a);
  // Seven prices for 700 items: runs of 100 equal prices cross every page boundary. Every 50th item
  // has no price (it sorts first, as null), so positions hold a missing value too.
  const batch = Array.from({ length: N }, (_, k) => ({
    _id: `i${String((k * 389) % N).padStart(4, '0')}`,
    category: `c${k % 4}`,
    ...(k % 50 === 0 ? {} : { price: k % 7 }),
    // keys past MAX_SK_BYTES: cut before the _id suffix, so each name's run shares one key
    name: `${'abc'[k % 3]}${LONG}`,
  }));
  items = [];
  for (let start = 0; start < N; start += 350) {
    const res = await a.call('/v3/items/insert', { collectionId: C, items: batch.slice(start, start + 350) });
    expect(res.status).toBe(200);
    items.push(...res.body.results.map((r: { item: Item }) => r.item));
  }
  const listed = await a.call('/v3/indexes/list', { collectionId: C });
  expect(listed.body.indexes.map((i: { status: string }) => i.status)).toEqual([
    'ACTIVE',
    'ACTIVE',
    'ACTIVE',
    'ACTIVE',
    'ACTIVE',
  ]);
}, 300_000);

/** Walks a cursor query to its end, with the items DynamoDB read for each page. */
async function walk(filter: Record<string, unknown>, sort: WixSort[]) {
  const pages: { ids: string[]; read: number }[] = [];
  let query: Record<string, unknown> = { filter, sort, cursorPaging: { limit: LIMIT } };
  for (let n = 0; n < 100; n++) {
    await buildsIdle(a); // nothing else of this process reads through the client meanwhile
    const before = a.deps.db.stats.itemsRead;
    const res = await a.call('/v3/items/query', { collectionId: C, query });
    expect(res.status).toBe(200);
    pages.push({ ids: idsOf(res.body.items), read: a.deps.db.stats.itemsRead - before });
    const next = res.body.pagingMetadata.cursors.next;
    if (next === null) return pages;
    query = { cursorPaging: { cursor: next } };
  }
  throw new Error('the cursor never ended');
}

/** The reference walk: the whole answer cut into pages of LIMIT. */
function referencePages(filter: Record<string, unknown>, sort: WixSort[]): string[][] {
  const ids = idsOf(referenceQuery(items, filter, sort));
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += LIMIT) out.push(ids.slice(i, i + LIMIT));
  return out.length > 0 ? out : [[]];
}

const PRICE_ASC: WixSort[] = [{ fieldName: 'price', order: 'ASC' }];
const PRICE_DESC: WixSort[] = [{ fieldName: 'price', order: 'DESC' }];
const ID_DESC: WixSort[] = [{ fieldName: '_id', order: 'DESC' }];

describe('cursor follow-ups read inside the index', () => {
  /** What a follow-up may read when the key condition selects exactly the matches. */
  const PAGE = 1.1 * (LIMIT + 1);
  // [name, filter, sort, the most items a follow-up page may read]
  const CASES: [string, Record<string, unknown>, WixSort[], number][] = [
    ['price ASC (ties across pages)', {}, PRICE_ASC, PAGE],
    ['price DESC (a DESC index read forwards)', {}, PRICE_DESC, PAGE],
    ['category = X in _id order', { category: 'c1' }, [], PAGE],
    ['category = X in _id DESC order (read backwards)', { category: 'c2' }, ID_DESC, PAGE],
    [
      'price >= 3 by price ASC (the cursor bound and the filter bound intersect)',
      { price: { $gte: 3 } },
      PRICE_ASC,
      PAGE,
    ],
    ['category = X and price < 4 by price DESC', { category: 'c1', price: { $lt: 4 } }, PRICE_DESC, PAGE],
    [
      // the category filter keeps about one in four of what the key condition selects
      'price <= 2 and category = X by price ASC (a FilterExpression too)',
      { price: { $lte: 2 }, category: 'c3' },
      PRICE_ASC,
      4 * 1.5 * (LIMIT + 1),
    ],
    [
      // a cut key bounds inclusively: the follow-up reads its run of equal keys (a third of the
      // items) from its start and drops the rows up to the position in memory; a page that spills
      // into the next run completes that run too (plus one DynamoDB page of 25 past it)
      'name ASC on keys cut at the size limit',
      {},
      [{ fieldName: 'name', order: 'ASC' }],
      2 * Math.ceil(N / 3) + 25 + 1,
    ],
  ];

  it.each(CASES)('walks %s page by page as the reference does', async (_name, filter, sort, maxRead) => {
    const pages = await walk(filter, sort);
    expect(pages.map((p) => p.ids)).toEqual(referencePages(filter, sort));
    const follow = pages.slice(1);
    expect(follow.length).toBeGreaterThan(1);
    for (const p of follow) expect(p.read).toBeLessThanOrEqual(maxRead);
  });

  it('reads about limit + 1 items for a follow-up deep in a price walk, not every remaining match', async () => {
    const pages = await walk({}, PRICE_ASC);
    const deep = pages[Math.floor(pages.length / 2)]!;
    expect(deep.ids).toHaveLength(LIMIT);
    expect(deep.read).toBeGreaterThanOrEqual(LIMIT);
    expect(deep.read).toBeLessThanOrEqual(1.1 * (LIMIT + 1));
  });

  it('walks exactly where the index order differs in the _id tie-break (base path follow-ups)', async () => {
    // By category DESC then _id ASC: the category index read backwards gives _id DESC within the
    // category, so the follow-up keeps the base path (and the walk stays exact).
    const filter = { category: 'c0' };
    const pages = await walk(filter, [{ fieldName: 'category', order: 'DESC' }]);
    expect(pages.map((p) => p.ids)).toEqual(
      referencePages(filter, [{ fieldName: 'category', order: 'DESC' }]),
    );
  });
});
