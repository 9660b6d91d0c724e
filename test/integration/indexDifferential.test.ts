/**
 * Differential test of index-backed queries (DynamoDB Local): the same random queries over the same
 * items, on a collection whose indexes are ACTIVE (the planner reads them), on one whose indexes are
 * still BUILDING (the planner must not), and against the in-memory reference. Sorts are drawn mostly
 * from the indexes' own orders (forwards and reversed), so the index path is what is exercised.
 *
 * Replay a failure with QUERY_DIFF_SEED=<seed>.
 */
import fc from 'fast-check';
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';
import { DIFF_FIELDS, queryArbitraries, sampleItems, type FieldCaps } from '../helpers/queryArbitraries';
import { idsOf, referenceQuery, type Item, type WixSort } from '../helpers/queryRef';

const SEED = process.env.QUERY_DIFF_SEED ? Number(process.env.QUERY_DIFF_SEED) : Date.now() % 2_147_483_647;
const C = 'diff';

const INDEXES = [
  { name: 'n', fields: [{ path: 'n' }] },
  { name: 't', fields: [{ path: 't' }] },
  { name: 'd', fields: [{ path: 'd', order: 'DESC' }] },
  { name: 'created', fields: [{ path: '_createdDate' }] },
  { name: 'tn', fields: [{ path: 't' }, { path: 'n', order: 'DESC' }] },
] as const;

/** Each index's order and its reverse, as Wix sorts. */
const INDEX_SORTS: WixSort[][] = INDEXES.flatMap((index) => {
  const forward = index.fields.map((f) => ({
    fieldName: f.path,
    order: ('order' in f ? f.order : 'ASC') as 'ASC' | 'DESC',
  }));
  const reversed = forward.map((s) => ({
    ...s,
    order: s.order === 'ASC' ? ('DESC' as const) : ('ASC' as const),
  }));
  return [forward, reversed];
});

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
      { seed: SEED, numRuns: 250 },
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
