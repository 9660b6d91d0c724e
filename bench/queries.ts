/**
 * Query benchmarks: a 20,000-item collection, then each access path (id lookup, id set, filtered,
 * sorted, offset, cursor, count, total count) timed through the local HTTP server, with what DynamoDB
 * was asked (requests, items read, read units). Every answer is checked; a wrong one throws.
 */
import { median, round, steady, type Bench } from './harness';
import type { Row } from './writes';

const N = 20_000;
const CATEGORIES = 10;
const INSERT_BATCH = 1000;
const INSERT_PARALLELISM = 2;
const PAGE = 50;
const COLLECTION = 'querybench';

interface BenchItem {
  _id: string;
  category: string;
  price: number;
  title: string;
  tags: string[];
  created: { $date: string };
}

const idOf = (i: number) => `q-${String(i).padStart(5, '0')}`;

function makeItems(): BenchItem[] {
  const base = Date.UTC(2025, 0, 1);
  return Array.from({ length: N }, (_, i) => ({
    _id: idOf(i),
    category: `c${i % CATEGORIES}`,
    // 7919 is prime and coprime with 20,000: every price is distinct, so the price order is unambiguous.
    price: ((i * 7919) % N) / 100,
    title: `Item ${i}`,
    tags: [`t${i % 7}`, `u${i % 3}`],
    created: { $date: new Date(base + i * 60_000).toISOString() },
  }));
}

async function mapLimit<T>(inputs: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) await fn(inputs[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`query benchmark answer is wrong: ${what}`);
}

function sameIds(got: { _id: string }[], want: string[], what: string): void {
  const ids = got.map((i) => i._id);
  check(
    ids.length === want.length && ids.every((id, k) => id === want[k]),
    `${what}: got [${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}] (${ids.length}), want [${want
      .slice(0, 5)
      .join(', ')}${want.length > 5 ? ', …' : ''}] (${want.length})`,
  );
}

interface Case {
  name: string;
  path: string;
  request: () => unknown;
  /** Throws when the answer is wrong; returns how many items the answer carries. */
  verify: (body: any) => number;
  /** Items come from GetItem/BatchGetItem: items read is counted as items returned (no ScannedCount). */
  byKey?: boolean;
}

interface Sample {
  ms: number;
  requests: number;
  byCommand: Record<string, number>;
  itemsRead: number;
  returned: number;
  readUnits: number;
}

function commands(byCommand: Record<string, number>): string {
  return Object.entries(byCommand)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name.replace(/Command$/, '')} ${n}`)
    .join(', ');
}

async function runCase(b: Bench, c: Case, reps: number, warmups: number): Promise<Row> {
  const samples: Sample[] = [];
  for (let r = 0; r < warmups + reps; r++) {
    const m = await b.measure(() => b.call(c.path, c.request()));
    const returned = c.verify(m.result.body);
    if (r < warmups) continue;
    samples.push({
      // The HTTP round trip (JWT verification, dispatch, DynamoDB), not the client-side signing.
      ms: m.result.ms,
      requests: m.requests,
      byCommand: m.stats.requests,
      itemsRead: m.stats.itemsRead + (c.byKey ? returned : 0),
      returned,
      readUnits: m.stats.readUnits,
    });
  }
  const ms = samples.map((s) => s.ms);
  const itemsRead = samples.map((s) => s.itemsRead);
  const returned = samples.map((s) => s.returned);
  const byCommand = new Set(samples.map((s) => commands(s.byCommand)));
  return {
    case: c.name,
    reps,
    'median ms': round(median(ms)),
    'p95 ms': round(percentile(ms, 95)),
    'DynamoDB requests': steady(samples.map((s) => s.requests)),
    'requests by command': [...byCommand].join(' / '),
    'items returned': steady(returned),
    'items read': steady(itemsRead),
    'items read per returned': steady(
      samples.map((s) => (s.returned > 0 ? s.itemsRead / s.returned : Number.NaN)),
    ),
    'read units': steady(samples.map((s) => s.readUnits)),
  };
}

export const QUERIES_NOTE = [
  `Collection of ${N.toLocaleString('en-US')} items (category: ${CATEGORIES} values, so \`category = X\` matches 10%; price: distinct numbers; title \`Item <n>\`; tags; created), inserted before timing.`,
  'Each case: 2 warm-ups, then the timed repetitions (`reps`); every answer is checked (ids, page sizes, counts).',
  '',
  '- **median ms / p95 ms**: HTTP round trip through the local server (JWT verification, dispatch, DynamoDB) against DynamoDB Local in memory on this machine; client-side JWT signing is excluded. p95 is nearest-rank. Latencies are not those of AWS.',
  '- **DynamoDB requests**: requests per call, all commands; every call also does one consistent GetItem for the collection record (included). **requests by command** breaks them down.',
  '- **items returned**: items in the answer; for counts, the count answered (2,000 and 11,111, both checked).',
  '- **items read**: items DynamoDB read, which is what AWS bills: for Query, the ScannedCount summed over pages (items examined before the FilterExpression, so filtered-out items count too). For id lookups (GetItem/BatchGetItem, no ScannedCount) items read is counted as items returned (every id asked exists); the collection-record GetItem is not counted as an item read.',
  '- **items read per returned**: items read / items returned (for counts: per item counted). 1 is the floor for a page; about 1/selectivity (10) is what a filter without an index costs; more than that is reading past what the page needs.',
  '- **read units**: consumed read capacity reported by DynamoDB Local (ReturnConsumedCapacity), including the collection-record read (1 unit, consistent). Query reads are eventually consistent (0.5 unit per 4 KB read).',
  '- A value shown as `m (lo–hi)` varied between repetitions: median (range).',
  '- DynamoDB Local caps a Query page at 1 MB of *returned* data, AWS at 1 MB *read* (before the FilterExpression): a Query whose filter drops most items (7a, 8) shows 1 request here where AWS would page about every 1 MB read (as 4 and 7b do here, 6 Queries for 20,000 items). Items read and read units are unaffected.',
].join('\n');

export async function queryBenchmarks(b: Bench, reps = 20, warmups = 2): Promise<Row[]> {
  const items = makeItems();
  await b.call('/v3/collections/create', {
    collection: {
      id: COLLECTION,
      fields: [
        { key: 'category', type: 'TEXT' },
        { key: 'price', type: 'NUMBER' },
        { key: 'title', type: 'TEXT' },
        { key: 'tags', type: 'ARRAY_STRING' },
        { key: 'created', type: 'DATETIME' },
      ],
    },
  });
  const batches: BenchItem[][] = [];
  for (let i = 0; i < N; i += INSERT_BATCH) batches.push(items.slice(i, i + INSERT_BATCH));
  const insertStarted = performance.now();
  await mapLimit(batches, INSERT_PARALLELISM, async (batch) => {
    const res = await b.call('/v3/items/insert', { collectionId: COLLECTION, items: batch });
    const failed = res.body.results.filter((r: { error?: unknown }) => r.error).length;
    if (failed) throw new Error(`${failed} inserts failed`);
  });
  const insertMs = performance.now() - insertStarted;

  // Expected answers, computed from the data itself.
  const c3 = items.filter((i) => i.category === 'c3');
  const c3FirstPage = c3.slice(0, PAGE).map((i) => i._id);
  const byPriceDesc = [...items]
    .sort((a, b) => b.price - a.price || (a._id < b._id ? -1 : 1))
    .slice(0, PAGE)
    .map((i) => i._id);
  const containsCount = items.filter((i) => i.title.toLowerCase().includes('item 1')).length;
  const lookupId = idOf(12_345);
  const idSet = Array.from({ length: 50 }, (_, k) => idOf((k * 397 + 11) % N)); // spread over the key space
  const idSetSorted = [...idSet].sort();
  check(new Set(idSet).size === 50, 'the id set has duplicates');
  const range = (from: number) => Array.from({ length: PAGE }, (_, k) => idOf(from + k));

  const query = (q: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    collectionId: COLLECTION,
    query: { filter: {}, ...q },
    consistentRead: false,
    returnTotalCount: false,
    ...extra,
  });
  const page = (want: string[], what: string) => (body: any) => {
    sameIds(body.items, want, what);
    return body.items.length;
  };

  // Cursor to page 50, walked once outside the timing (49 follow-ups after page 1).
  const cursorFirst = query({ cursorPaging: { limit: PAGE } });
  let res = await b.call('/v3/items/query', cursorFirst);
  sameIds(res.body.items, range(0), 'cursor page 1');
  let cursor: string = res.body.pagingMetadata.cursors.next;
  for (let p = 2; p <= 49; p++) {
    res = await b.call('/v3/items/query', { collectionId: COLLECTION, query: { cursorPaging: { cursor } } });
    sameIds(res.body.items, range((p - 1) * PAGE), `cursor page ${p}`);
    cursor = res.body.pagingMetadata.cursors.next;
    check(typeof cursor === 'string', `cursor page ${p} has a next cursor`);
  }
  const cursorPage50 = cursor;

  const cases: Case[] = [
    {
      name: '1. `_id` lookup',
      path: '/v3/items/query',
      request: () => query({ filter: { _id: lookupId }, paging: { limit: PAGE } }),
      verify: page([lookupId], '_id lookup'),
      byKey: true,
    },
    {
      name: '2. `_id` $in 50 ids',
      path: '/v3/items/query',
      request: () => query({ filter: { _id: { $in: idSet } }, paging: { limit: PAGE } }),
      verify: page(idSetSorted, '_id set'),
      byKey: true,
    },
    {
      name: '3. filter `category = c3` (10%), first page of 50',
      path: '/v3/items/query',
      request: () => query({ filter: { category: 'c3' }, paging: { limit: PAGE } }),
      verify: page(c3FirstPage, 'filtered first page'),
    },
    {
      name: '4. sort price DESC (not indexed), first page of 50',
      path: '/v3/items/query',
      request: () => query({ sort: [{ fieldName: 'price', order: 'DESC' }], paging: { limit: PAGE } }),
      verify: page(byPriceDesc, 'sorted first page'),
    },
    {
      name: '5. offset page 50 (offset 2450, limit 50, `_id` order)',
      path: '/v3/items/query',
      request: () => query({ paging: { limit: PAGE, offset: 49 * PAGE } }),
      verify: page(range(49 * PAGE), 'offset page 50'),
    },
    {
      name: '6a. cursor page 1 (limit 50, `_id` order)',
      path: '/v3/items/query',
      request: () => cursorFirst,
      verify: page(range(0), 'cursor page 1'),
    },
    {
      name: '6b. cursor page 50 (cursor from a walk)',
      path: '/v3/items/query',
      request: () => ({ collectionId: COLLECTION, query: { cursorPaging: { cursor: cursorPage50 } } }),
      verify: (body) => {
        sameIds(body.items, range(49 * PAGE), 'cursor page 50');
        check(typeof body.pagingMetadata.cursors.next === 'string', 'cursor page 50 has a next cursor');
        return body.items.length;
      },
    },
    {
      name: '7a. count `category = c3`',
      path: '/v3/items/count',
      request: () => ({ collectionId: COLLECTION, filter: { category: 'c3' }, consistentRead: false }),
      verify: (body) => {
        check(body.totalCount === c3.length, `count c3 = ${body.totalCount}, want ${c3.length}`);
        return body.totalCount;
      },
    },
    {
      name: "7b. count `title $contains 'item 1'` (evaluated in memory)",
      path: '/v3/items/count',
      request: () => ({
        collectionId: COLLECTION,
        filter: { title: { $contains: 'item 1' } },
        consistentRead: false,
      }),
      verify: (body) => {
        check(
          body.totalCount === containsCount,
          `count contains = ${body.totalCount}, want ${containsCount}`,
        );
        return body.totalCount;
      },
    },
    {
      name: '8. filter `category = c3` + returnTotalCount, first page of 50',
      path: '/v3/items/query',
      request: () =>
        query({ filter: { category: 'c3' }, paging: { limit: PAGE } }, { returnTotalCount: true }),
      verify: (body) => {
        sameIds(body.items, c3FirstPage, 'filtered first page with total');
        check(
          body.pagingMetadata.total === c3.length,
          `total = ${body.pagingMetadata.total}, want ${c3.length}`,
        );
        return body.items.length;
      },
    },
  ];

  // Issue 5 cases: aggregation over the whole collection, and references resolved on a page.
  const byCategory = new Map<string, { n: number; sum: number }>();
  for (const i of items) {
    const g = byCategory.get(i.category) ?? { n: 0, sum: 0 };
    g.n += 1;
    g.sum += i.price;
    byCategory.set(i.category, g);
  }
  cases.push({
    name: '9. aggregate: group by category (10 groups) over 20,000 items, count + sum + average',
    path: '/v3/items/aggregate',
    request: () => ({
      collectionId: COLLECTION,
      aggregation: {
        groupingFields: ['category'],
        operations: [
          { resultFieldName: 'n', itemCount: {} },
          { resultFieldName: 'total', sum: { itemFieldName: 'price' } },
          { resultFieldName: 'avg', average: { itemFieldName: 'price' } },
        ],
      },
      sort: [{ fieldName: 'category', order: 'ASC' }],
      paging: { limit: 50 },
      consistentRead: false,
      returnTotalCount: false,
    }),
    verify: (body) => {
      check(body.items.length === byCategory.size, `aggregate rows = ${body.items.length}`);
      for (const row of body.items as { category: string; n: number; total: number; avg: number }[]) {
        const want = byCategory.get(row.category);
        check(
          !!want &&
            row.n === want.n &&
            Math.abs(row.total - want.sum) < 1e-6 &&
            Math.abs(row.avg - want.sum / want.n) < 1e-9,
          `aggregate row ${JSON.stringify(row)}`,
        );
      }
      return body.items.length;
    },
  });

  const LISTS = 100;
  const PER_LIST = 5;
  await b.call('/v3/collections/create', {
    collection: {
      id: 'lists',
      fields: [
        { key: 'name', type: 'TEXT' },
        {
          key: 'picks',
          type: 'MULTI_REFERENCE',
          multiReferenceOptions: { referencedCollectionId: COLLECTION },
        },
      ],
    },
  });
  const listIds = Array.from({ length: LISTS }, (_, k) => `list-${String(k).padStart(3, '0')}`);
  await b.call('/v3/items/insert', {
    collectionId: 'lists',
    items: listIds.map((_id) => ({ _id, name: _id })),
  });
  const references = listIds.flatMap((referringItemId, k) =>
    Array.from({ length: PER_LIST }, (_, j) => ({
      referringItemId,
      referencedItemId: idOf((k * 131 + j * 17) % N),
    })),
  );
  const linked = await b.call('/v3/items/insert-references', {
    collectionId: 'lists',
    referringFieldKey: 'picks',
    references,
  });
  check(
    linked.body.results.every((r: { reference?: unknown }) => r.reference),
    'references inserted',
  );
  cases.push({
    name: '10. query 50 rows with includeReferencedItems (5 referenced items each)',
    path: '/v3/items/query',
    request: () => ({
      collectionId: 'lists',
      query: { paging: { limit: PAGE } },
      includeReferencedItems: [{ fieldKey: 'picks', limit: PER_LIST }],
      consistentRead: false,
      returnTotalCount: false,
    }),
    verify: (body) => {
      check(body.items.length === PAGE, `rows = ${body.items.length}`);
      for (const row of body.items as { picks: { _id: string }[] }[])
        check(row.picks.length === PER_LIST, 'picks per row');
      return body.items.length;
    },
  });

  const rows: Row[] = [];
  for (const c of cases) rows.push(await runCase(b, c, reps, warmups));
  process.stderr.write(
    `queries: inserted ${N} items in ${round(insertMs / 1000, 1)} s (${N / INSERT_BATCH} requests of ${INSERT_BATCH}, ${INSERT_PARALLELISM} at a time)\n`,
  );
  return rows;
}
