/**
 * Cursor follow-ups resume inside the index (issue 12 item 7): a follow-up whose sort an index's key
 * order serves reads the GSI from the cursor's position, so each page reads about limit + 1 items
 * wherever it is in the walk (DynamoDB Local, items read through the client's meter), plus the run
 * of ties it starts in when the index gives ties against the `_id` tie-break (read backwards), and
 * each `$in` value's share for a merge. Every walk equals the in-memory reference: nothing lost,
 * nothing repeated. The base path these follow-ups took before read every item of the collection.
 */
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { idsOf, referenceQuery, type Item, type WixSort } from '../helpers/queryRef';

const C = 'goods';
const N = 700;
const LIMIT = 30;
const LONG = 'n'.repeat(600);
/**
 * `rank`: distinct values but for a run of 12 missing or null ones, strings of both cases among
 * numbers. `score`: ties (9 per value in three categories), null, strings cut at the key size limit.
 * No index but `catScore` orders `score`, so only a merge serves a `$in` walk by score.
 */
const R = 'ranked';
const NR = 240;

let a: TestAdaptor;
let items: Item[];
let ranked: Item[];

async function createWithIndexes(
  id: string,
  fields: { key: string; type: string }[],
  indexes: { name: string; fields: { path: string; order?: string }[] }[],
) {
  expect((await a.call('/v3/collections/create', { collection: { id, fields } })).status).toBe(200);
  for (const index of indexes)
    expect((await a.call('/v3/indexes/create', { collectionId: id, index })).status).toBe(200);
  await buildsIdle(a);
}

async function insertAll(id: string, batch: Item[]): Promise<Item[]> {
  const out: Item[] = [];
  for (let start = 0; start < batch.length; start += 350) {
    const res = await a.call('/v3/items/insert', {
      collectionId: id,
      items: batch.slice(start, start + 350),
    });
    expect(res.status).toBe(200);
    out.push(...res.body.results.map((r: { item: Item }) => r.item));
  }
  const listed = await a.call('/v3/indexes/list', { collectionId: id });
  for (const i of listed.body.indexes as { status: string }[]) expect(i.status).toBe('ACTIVE');
  return out;
}

beforeAll(async () => {
  a = createTestAdaptor();
  const fields = [
    { key: 'category', type: 'TEXT' },
    { key: 'price', type: 'NUMBER' },
    { key: 'name', type: 'TEXT' },
  ];
  await createWithIndexes(C, fields, [
    { name: 'price', fields: [{ path: 'price' }] },
    { name: 'priceDesc', fields: [{ path: 'price', order: 'DESC' }] },
    { name: 'category', fields: [{ path: 'category' }] },
    { name: 'catPrice', fields: [{ path: 'category' }, { path: 'price', order: 'DESC' }] },
    { name: 'name', fields: [{ path: 'name' }] },
  ]);
  // Seven prices for 700 items: runs of 100 equal prices cross every page boundary. Every 50th item
  // has no price (it sorts first, as null), so positions hold a missing value too.
  const batch = Array.from({ length: N }, (_, k) => ({
    _id: `i${String((k * 389) % N).padStart(4, '0')}`,
    category: `c${k % 4}`,
    ...(k % 50 === 0 ? {} : { price: k % 7 }),
    // keys past MAX_SK_BYTES: cut before the _id suffix, so each name's run shares one key
    name: `${'abc'[k % 3]}${LONG}`,
  }));
  items = await insertAll(C, batch);

  await createWithIndexes(
    R,
    [
      { key: 'category', type: 'TEXT' },
      { key: 'rank', type: 'ANY' },
      { key: 'label', type: 'TEXT' },
      { key: 'score', type: 'ANY' },
    ],
    [
      { name: 'rank', fields: [{ path: 'rank' }] },
      { name: 'catRank', fields: [{ path: 'category' }, { path: 'rank' }] },
      { name: 'label', fields: [{ path: 'label' }] },
      { name: 'catScore', fields: [{ path: 'category' }, { path: 'score', order: 'DESC' }] },
    ],
  );
  const scoreOf = (k: number): unknown => {
    if (k % 24 === 5) return null;
    if (k % 24 === 11) return `${k % 48 === 11 ? 'Q' : 'q'}${LONG}${k % 3}`;
    return k % 20;
  };
  const rankOf = (k: number): Item => {
    if (k % 40 === 0) return {};
    if (k % 40 === 1) return { rank: null };
    if (k % 15 === 7) return { rank: `${k % 2 ? 'B' : 'a'}${k}` };
    return { rank: k * 3 };
  };
  ranked = await insertAll(
    R,
    Array.from({ length: NR }, (_, k) => ({
      _id: `r${String((k * 97) % NR).padStart(4, '0')}`,
      category: `c${k % 4}`,
      label: `${'aAbB'[k % 4]}${String(k).padStart(3, '0')}`,
      score: scoreOf(k),
      ...rankOf(k),
    })),
  );
}, 300_000);

/** Walks a cursor query to its end, with the items DynamoDB read for each page. */
async function walk(
  filter: Record<string, unknown>,
  sort: WixSort[],
  collectionId = C,
  returnTotalCount = false,
) {
  const pages: { ids: string[]; read: number; total: unknown }[] = [];
  let query: Record<string, unknown> = { filter, sort, cursorPaging: { limit: LIMIT } };
  for (let n = 0; n < 100; n++) {
    await buildsIdle(a); // nothing else of this process reads through the client meanwhile
    const before = a.deps.db.stats.itemsRead;
    const res = await a.call('/v3/items/query', { collectionId, query, returnTotalCount });
    expect(res.status).toBe(200);
    const total = res.body.pagingMetadata.total;
    pages.push({ ids: idsOf(res.body.items), read: a.deps.db.stats.itemsRead - before, total });
    const next = res.body.pagingMetadata.cursors.next;
    if (next === null) return pages;
    query = { cursorPaging: { cursor: next } };
  }
  throw new Error('the cursor never ended');
}

/** The reference walk: the whole answer cut into pages of LIMIT. */
function referencePages(filter: Record<string, unknown>, sort: WixSort[], all = items): string[][] {
  const ids = idsOf(referenceQuery(all, filter, sort));
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
});

/** [name, collection, filter, sort, the most items a follow-up page may read] */
type Case = [string, string, Record<string, unknown>, WixSort[], number];

/** Walks a case, checks it against the reference and the read bound; its pages. */
async function walkCase([, collectionId, filter, sort, maxRead]: Case) {
  const pages = await walk(filter, sort, collectionId);
  expect(pages.map((p) => p.ids)).toEqual(referencePages(filter, sort, collectionId === C ? items : ranked));
  const follow = pages.slice(1);
  expect(follow.length).toBeGreaterThan(0);
  for (const p of follow) expect(p.read).toBeLessThanOrEqual(maxRead);
  return pages;
}

const DESC = (fieldName: string): WixSort[] => [{ fieldName, order: 'DESC' }];
const ASC = (fieldName: string): WixSort[] => [{ fieldName, order: 'ASC' }];

describe('cursor follow-ups resumed from the start of their run of ties', () => {
  // The index gives the sort's fields but the `_id` tie-break reversed (read backwards): a follow-up
  // reads the position's run of equal values again from its start, drops the rows up to the
  // position in memory, and completes its page's last run as a first page does. At most: the page
  // and its look-ahead, the position's run, the page's last run, one DynamoDB page (25) past.
  const runBound = (run: number) => LIMIT + 2 + 2 * run + 25;
  const CASES: Case[] = [
    [
      'category = c1 by price ASC: (category, price DESC) read backwards',
      C,
      { category: 'c1' },
      PRICE_ASC,
      runBound(25),
    ],
    [
      'category = c2 and price > 2 by price ASC (the filter bound meets the run bound)',
      C,
      { category: 'c2', price: { $gt: 2 } },
      PRICE_ASC,
      runBound(25),
    ],
    [
      // the name filter keeps two in three of what the key condition selects
      'category = c3 and name not b… by price ASC (a FilterExpression drops rows)',
      C,
      { category: 'c3', name: { $ne: `b${LONG}` } },
      PRICE_ASC,
      1.5 * runBound(25),
    ],
    [
      // one run: every follow-up reads the whole category again (still not the collection)
      'category = c0 by category DESC (all ties, read backwards)',
      C,
      { category: 'c0' },
      DESC('category'),
      Math.ceil(N / 4) + 25 + 1,
    ],
    [
      // keys cut at the size limit: runs of a third of the items
      'name DESC on keys cut at the size limit, read backwards',
      C,
      {},
      DESC('name'),
      runBound(Math.ceil(N / 3)),
    ],
    ['rank DESC (mixed types, a run of missing and null) read backwards', R, {}, DESC('rank'), runBound(12)],
    ['label DESC (case-sensitive strings) read backwards', R, {}, DESC('label'), runBound(1)],
    [
      'category = c1 and rank >= 30 by rank DESC on (category, rank) read backwards',
      R,
      { category: 'c1', rank: { $gte: 30 } },
      DESC('rank'),
      runBound(1),
    ],
  ];

  it.each(CASES)('walks %s page by page as the reference does', async (...c) => {
    await walkCase(c);
  });

  it('reads about limit + 1 items for a follow-up deep in a rank DESC walk, not every remaining match', async () => {
    const pages = await walk({}, DESC('rank'), R);
    const deep = pages[Math.floor(pages.length / 2)]!;
    expect(deep.ids).toHaveLength(LIMIT);
    // the position's own row is read again, and one past the page tells it is complete
    expect(deep.read).toBeLessThanOrEqual(LIMIT + 3);
  });
});

describe("cursor follow-ups of a $in merge resume each value's interval", () => {
  // Each `$in` value's interval reads about a page (its share is unknown in advance), as on a first
  // page: at most each value's page and look-ahead, its run of ties when resumed from the run, and
  // one DynamoDB page (25) past.
  const mergeBound = (values: number, run = 0) => values * (LIMIT + 2 + run + 25);
  const CASES: Case[] = [
    [
      'category $in [c0, c1, c2] by score DESC: (category, score DESC) forwards, from each key',
      R,
      { category: { $in: ['c0', 'c1', 'c2'] }, score: { $lt: 15 } },
      DESC('score'),
      mergeBound(3),
    ],
    [
      'category $in [c0, c1, c3] by score ASC: read backwards, each interval from its run',
      R,
      { category: { $in: ['c0', 'c1', 'c3'] }, score: { $gte: 0 } },
      ASC('score'),
      mergeBound(3, 2 * 3),
    ],
    [
      // a cut key (the strings, last) stops the merge: the follow-up reads its resumed intervals
      // whole and keeps the best page after the position in memory (still not the collection)
      'category $in [c1, c3] by score ASC with keys cut at the size limit',
      R,
      { category: { $in: ['c1', 'c3'] } },
      ASC('score'),
      NR / 2 + 1,
    ],
  ];

  it.each(CASES)('walks %s page by page as the reference does', async (...c) => {
    await walkCase(c);
  });

  it('counts the whole answer on every follow-up of a merge that met a cut key', async () => {
    const filter = { category: { $in: ['c1', 'c3'] } };
    const pages = await walk(filter, ASC('score'), R, true);
    expect(pages.map((p) => p.ids)).toEqual(referencePages(filter, ASC('score'), ranked));
    const want = referenceQuery(ranked, filter).length;
    for (const p of pages) expect(p.total).toBe(want);
  });
});
