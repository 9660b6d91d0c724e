/**
 * Differential test of index-backed queries (DynamoDB Local): the same random queries over the same
 * items, on a collection whose indexes are ACTIVE (the planner reads them), on one whose indexes are
 * still BUILDING (the planner must not), and against the in-memory reference. Sorts are drawn mostly
 * from the indexes' own orders (forwards and reversed), and filters from conditions on the indexes'
 * leading fields (equalities, then `$in`, ranges or `$startsWith`), so the index paths are what is
 * exercised; totals and counts are compared too.
 *
 * Replay a failure with QUERY_DIFF_SEED=<seed>.
 */
import fc from 'fast-check';
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds, indexSorts } from '../helpers/indexes';
import { DIFF_FIELDS, queryArbitraries, sampleItems, type FieldCaps } from '../helpers/queryArbitraries';
import { getPath } from '../../lambda/query/values';
import { idsOf, referenceCount, referenceQuery, type Item, type WixSort } from '../helpers/queryRef';

const SEED = process.env.QUERY_DIFF_SEED ? Number(process.env.QUERY_DIFF_SEED) : Date.now() % 2_147_483_647;
const C = 'diff';

const INDEXES = [
  { name: 'n', fields: [{ path: 'n' }] },
  { name: 't', fields: [{ path: 't' }], caseInsensitive: true },
  { name: 'd', fields: [{ path: 'd', order: 'DESC' }] },
  { name: 'created', fields: [{ path: '_createdDate' }] },
  { name: 'tn', fields: [{ path: 't' }, { path: 'n', order: 'DESC' }] },
] as const;

/** Each index's order and its reverse, as Wix sorts. */
const INDEX_SORTS = indexSorts(INDEXES);

/**
 * Runs of the two broad properties: each run is two or three queries over 300 items, so these two
 * were most of this file's time at 250 runs each. Chosen from bugs put back on purpose (seed 11):
 * ties read backwards cut short of their run (the run key taken as the whole suffixed key) failed
 * the first property at run 20 and the second at run 133; a `$gte` key bound made exclusive failed
 * the second at run 21 (the first, whose filters do not lead with index fields, cannot see it). The
 * focused properties below keep their counts.
 */
const QUERY_RUNS = 120;
const INDEX_FILTER_RUNS = 150;

let active: TestAdaptor;
let building: TestAdaptor;
let items: Item[];
let buildingItems: Item[];
let arbs: ReturnType<typeof queryArbitraries>;

async function setUp(a: TestAdaptor): Promise<Item[]> {
  expect(
    (await a.call('/v3/collections/create', { collection: { id: C, fields: DIFF_FIELDS } })).status,
  ).toBe(200);
  for (const index of INDEXES) {
    expect((await a.call('/v3/indexes/create', { collectionId: C, index })).status).toBe(200);
  }
  const insert = await a.call('/v3/items/insert', { collectionId: C, items: sampleItems(300, SEED) });
  expect(insert.body.results.filter((r: { error?: unknown }) => r.error)).toEqual([]);
  return insert.body.results.map((r: { item: Item }) => r.item);
}

beforeAll(async () => {
  active = createTestAdaptor();
  building = createTestAdaptor({ deps: depsWithoutBuilds() });
  items = await setUp(active);
  buildingItems = await setUp(building);
  await buildsIdle(active);
  const statuses = async (a: TestAdaptor) =>
    (await a.call('/v3/indexes/list', { collectionId: C })).body.indexes.map(
      (i: { status: string }) => i.status,
    );
  expect(await statuses(active)).toEqual(INDEXES.map(() => 'ACTIVE'));
  expect(await statuses(building)).toEqual(INDEXES.map(() => 'BUILDING'));
  const got = await active.call('/v3/collections/get', { collectionIds: [C] });
  const caps = new Map<string, FieldCaps>(
    got.body.collections[0].fields.map((f: { key: string; capabilities: FieldCaps }) => [
      f.key,
      f.capabilities,
    ]),
  );
  arbs = queryArbitraries({ caps, items });
}, 300_000);

it('answers every query the same with ACTIVE indexes, BUILDING indexes and the reference', async () => {
  const input = fc.record({
    filter: fc.oneof({ weight: 1, arbitrary: fc.constant({}) }, { weight: 3, arbitrary: arbs.filter }),
    sort: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...INDEX_SORTS) },
      { weight: 1, arbitrary: arbs.sort },
    ),
    limit: fc.integer({ min: 1, max: 50 }),
    offset: fc.integer({ min: 0, max: 60 }),
  });
  try {
    await fc.assert(
      fc.asyncProperty(input, async ({ filter, sort, limit, offset }) => {
        const request = { collectionId: C, query: { filter, sort, paging: { limit, offset } } };
        // the two collections' items differ in their system dates: each has its own reference
        for (const [a, data] of [
          [active, items],
          [building, buildingItems],
        ] as const) {
          const expected = idsOf(referenceQuery(data, filter, sort).slice(offset, offset + limit));
          const res = await a.call('/v3/items/query', request);
          expect(res.status).toBe(200);
          expect(idsOf(res.body.items)).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: QUERY_RUNS },
    );
  } catch (err) {
    throw new Error(
      `failed; replay with QUERY_DIFF_SEED=${SEED}\n${err instanceof Error ? err.message : String(err)}`,
    );
  }
}, 300_000);

/**
 * Filters an index can bound: equalities on the first k fields of a random index, then `$eq`, `$in`,
 * one or both ends of a range, or `$startsWith` on field k + 1, with operands drawn from the data
 * (wrong-typed and case-changed ones included), sometimes with more of the random grammar ANDed on.
 */
function indexFilters(data: readonly Item[]): fc.Arbitrary<Record<string, unknown>> {
  const pool = (field: string) => {
    const values = data
      .map((i) => getPath(i, field))
      .filter((p) => p.present)
      .map((p) => p.value);
    return fc.constantFrom(...(values.length > 0 ? values : [null]));
  };
  const scalar = (field: string) =>
    pool(field).filter((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v) || isDate(v));
  const comparable = (field: string) => scalar(field).filter((v) => v !== null);
  const prefixOf = (field: string) =>
    pool(field)
      .filter((v): v is string => typeof v === 'string')
      .chain((s) => fc.nat({ max: s.length }).map((k) => s.slice(0, k)))
      .chain((s) => fc.constantFrom(s, s.toUpperCase(), s.toLowerCase()));
  const condition = (field: string): fc.Arbitrary<unknown> =>
    fc.oneof(
      scalar(field),
      fc.array(scalar(field), { maxLength: 4 }).map(($in) => ({ $in })),
      fc
        .constantFrom('$gt', '$gte', '$lt', '$lte')
        .chain((op) => comparable(field).map((v) => ({ [op]: v }))),
      fc
        .tuple(
          fc.constantFrom('$gt', '$gte'),
          comparable(field),
          fc.constantFrom('$lt', '$lte'),
          comparable(field),
        )
        .map(([lo, a, hi, b]) => ({ [lo]: a, [hi]: b })),
      ...(field === 't' ? [prefixOf(field).map(($startsWith) => ({ $startsWith }))] : []),
    );
  return fc.constantFrom(...INDEXES).chain((index) =>
    fc.nat({ max: index.fields.length - 1 }).chain((k) =>
      fc
        .tuple(
          fc.tuple(...index.fields.slice(0, k).map((f) => scalar(f.path))),
          condition(index.fields[k]!.path),
          fc.option(arbs.filter, { freq: 3 }),
        )
        .map(([equal, last, rest]) => {
          const filter: Record<string, unknown> = {};
          index.fields.slice(0, k).forEach((f, i) => (filter[f.path] = equal[i]));
          filter[index.fields[k]!.path] = last;
          if (rest !== null) filter.$and = [rest];
          return filter;
        }),
    ),
  );
}

function isDate(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && '$date' in v;
}

it('answers filters on index fields the same with ACTIVE indexes, BUILDING indexes and the reference', async () => {
  const input = fc.record({
    filter: indexFilters(items),
    sort: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...INDEX_SORTS) },
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: arbs.sort },
    ),
    limit: fc.integer({ min: 1, max: 50 }),
    offset: fc.integer({ min: 0, max: 60 }),
    total: fc.boolean(),
  });
  let answered = 0;
  try {
    await fc.assert(
      fc.asyncProperty(input, async ({ filter, sort, limit, offset, total }) => {
        const request = {
          collectionId: C,
          query: { filter, sort, paging: { limit, offset } },
          ...(total ? { returnTotalCount: true } : {}),
        };
        const res = await active.call('/v3/items/query', request);
        const other = await building.call('/v3/items/query', request);
        expect(other.status).toBe(res.status);
        if (res.status !== 200) {
          expect(res.body).toEqual(other.body); // a refused operand is refused the same way
          return;
        }
        answered += 1;
        for (const [r, data] of [
          [res, items],
          [other, buildingItems],
        ] as const) {
          const expected = referenceQuery(data, filter, sort);
          expect(idsOf(r.body.items)).toEqual(idsOf(expected.slice(offset, offset + limit)));
          if (total) expect(r.body.pagingMetadata.total).toBe(expected.length);
        }
        const count = await active.call('/v3/items/count', { collectionId: C, filter });
        expect(count.body.totalCount).toBe(referenceCount(items, filter));
      }),
      { seed: SEED, numRuns: INDEX_FILTER_RUNS },
    );
  } catch (err) {
    throw new Error(
      `failed; replay with QUERY_DIFF_SEED=${SEED}\n${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // most operands are valid: the comparison was made (over 60 % of the runs, as at 250)
  expect(answered).toBeGreaterThan(0.6 * INDEX_FILTER_RUNS);
}, 300_000);

it('answers $in pages sorted by the next index field (merged per value) the same as the reference', async () => {
  const ts = [...new Set(items.map((i) => i.t).filter((t) => typeof t === 'string'))];
  const input = fc.record({
    values: fc.array(fc.constantFrom(...ts), { minLength: 2, maxLength: 5 }),
    desc: fc.boolean(),
    rest: fc.option(arbs.filter, { freq: 3 }),
    limit: fc.integer({ min: 1, max: 30 }),
    offset: fc.integer({ min: 0, max: 40 }),
  });
  try {
    await fc.assert(
      fc.asyncProperty(input, async ({ values, desc, rest, limit, offset }) => {
        // the index tn is (t, n DESC): within each t value its keys are in n order
        const filter: Record<string, unknown> = { t: { $in: values }, ...(rest ? { $and: [rest] } : {}) };
        const sort: WixSort[] = [{ fieldName: 'n', order: desc ? 'DESC' : 'ASC' }];
        const res = await active.call('/v3/items/query', {
          collectionId: C,
          query: { filter, sort, paging: { limit, offset } },
        });
        expect(res.status).toBe(200);
        expect(idsOf(res.body.items)).toEqual(
          idsOf(referenceQuery(items, filter, sort).slice(offset, offset + limit)),
        );
      }),
      { seed: SEED, numRuns: 60 },
    );
  } catch (err) {
    throw new Error(
      `failed; replay with QUERY_DIFF_SEED=${SEED}\n${err instanceof Error ? err.message : String(err)}`,
    );
  }
}, 300_000);

it('reads about one page of items for a first page sorted by an index, and the whole partition without one', async () => {
  const sorted = {
    collectionId: C,
    query: { sort: [{ fieldName: 'n', order: 'DESC' }], paging: { limit: 20 } },
  };
  const stats = active.deps.db.stats;
  const before = stats.itemsRead;
  const res = await active.call('/v3/items/query', sorted);
  const indexedRead = stats.itemsRead - before;
  expect(idsOf(res.body.items)).toEqual(
    idsOf(referenceQuery(items, {}, [{ fieldName: 'n', order: 'DESC' }]).slice(0, 20)),
  );
  // The page, its one look-ahead row and the rest of the run of equal keys it ends in: about 40
  // when nothing else runs. Background work of the same process (index builds, purges started by
  // earlier tests) reads through the same client and was seen to add up to 70 on a loaded CI run,
  // so the bound asserted is "well under half the partition"; the unindexed read below is >= 300.
  expect(indexedRead).toBeLessThanOrEqual(120);
  const b0 = building.deps.db.stats.itemsRead;
  await building.call('/v3/items/query', sorted);
  expect(building.deps.db.stats.itemsRead - b0).toBeGreaterThanOrEqual(300);
  // consistentRead falls back to the base table (GSIs are eventually consistent)
  const c0 = stats.itemsRead;
  const consistent = await active.call('/v3/items/query', { ...sorted, consistentRead: true });
  expect(stats.itemsRead - c0).toBeGreaterThanOrEqual(300);
  expect(idsOf(consistent.body.items)).toEqual(idsOf(res.body.items));
});

/**
 * `_id` ties: an index over few distinct values holds long runs of equal indexed values, whose keys
 * end with `_id` (ascending). Read forwards the runs come in the `_id` tie-break order; read
 * backwards (the index order reversed) they come in `_id` descending and must be completed and
 * re-sorted. Ids are shuffled against insertion, so neither order is an accident of the writes.
 */
it('answers pages over long runs of equal index values the same as the reference, forwards and backwards', async () => {
  const T = 'ties';
  expect(
    (
      await active.call('/v3/collections/create', {
        collection: {
          id: T,
          fields: [
            { key: 'g', type: 'NUMBER' },
            { key: 'h', type: 'TEXT' },
          ],
        },
      })
    ).status,
  ).toBe(200);
  for (const index of [
    { name: 'g', fields: [{ path: 'g' }] },
    { name: 'gh', fields: [{ path: 'g', order: 'DESC' }, { path: 'h' }] },
  ]) {
    expect((await active.call('/v3/indexes/create', { collectionId: T, index })).status).toBe(200);
  }
  await buildsIdle(active);
  const rows = fc.sample(
    fc.record({ g: fc.integer({ min: 0, max: 3 }), h: fc.constantFrom('a', 'b'), k: fc.nat() }),
    { seed: SEED, numRuns: 240 },
  );
  const written = rows.map((r, i) => ({ _id: `${(r.k % 9973).toString(36)}-${i}`, g: r.g, h: r.h }));
  const insert = await active.call('/v3/items/insert', { collectionId: T, items: written });
  expect(insert.status).toBe(200);
  const data: Item[] = insert.body.results.map((r: { item: Item }) => r.item);
  const s = (fieldName: string, order: 'ASC' | 'DESC'): WixSort => ({ fieldName, order });
  const input = fc.record({
    filter: fc.constantFrom<Record<string, unknown>>(
      {},
      { g: 1 },
      { g: 2, h: 'a' },
      { g: { $gte: 1 } },
      { g: { $in: [0, 3] } },
    ),
    sort: fc.constantFrom<WixSort[]>(
      [],
      [s('_id', 'DESC')],
      [s('g', 'ASC')],
      [s('g', 'DESC')],
      [s('g', 'DESC'), s('_id', 'DESC')],
      [s('g', 'ASC'), s('_id', 'DESC')],
      [s('g', 'DESC'), s('h', 'ASC')],
      [s('g', 'ASC'), s('h', 'DESC')],
      [s('h', 'ASC')],
      [s('h', 'DESC')],
    ),
    limit: fc.integer({ min: 1, max: 50 }),
    offset: fc.integer({ min: 0, max: 120 }),
  });
  try {
    await fc.assert(
      fc.asyncProperty(input, async ({ filter, sort, limit, offset }) => {
        const res = await active.call('/v3/items/query', {
          collectionId: T,
          query: { filter, sort, paging: { limit, offset } },
        });
        expect(res.status).toBe(200);
        expect(idsOf(res.body.items)).toEqual(
          idsOf(referenceQuery(data, filter, sort).slice(offset, offset + limit)),
        );
      }),
      { seed: SEED, numRuns: 150 },
    );
  } catch (err) {
    throw new Error(
      `failed; replay with QUERY_DIFF_SEED=${SEED}\n${err instanceof Error ? err.message : String(err)}`,
    );
  }
}, 300_000);
