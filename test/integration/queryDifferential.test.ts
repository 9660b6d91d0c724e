/**
 * Differential property test: /v3/items/query and /v3/items/count against DynamoDB Local must agree
 * with a purely in-memory reference (the evaluator, the comparator of the effective sort, then the
 * page), for random filters, sorts and paging over one collection of ~300 mixed-type items.
 *
 * Replay a failure with QUERY_DIFF_SEED=<seed> (the seed drives both the data and the properties; it
 * is printed in the failure message).
 */
import fc from 'fast-check';
import { parseFilter } from '../../lambda/query/parse';
import { plan } from '../../lambda/query/plan';
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { DIFF_FIELDS, queryArbitraries, sampleItems, type FieldCaps } from '../helpers/queryArbitraries';
import {
  idsOf,
  referenceCount,
  referenceQuery,
  toSortKeys,
  type Item,
  type WixSort,
} from '../helpers/queryRef';

const SEED = process.env.QUERY_DIFF_SEED ? Number(process.env.QUERY_DIFF_SEED) : Date.now() % 2_147_483_647;
const ITEM_COUNT = 300;
/**
 * Offset queries per run. Each reads most of the collection from DynamoDB Local (about 0.1 s), so
 * this test was the slowest of the suite at 500. A planner bug it was written for (a redundant
 * parenthesis DynamoDB refuses, once a 500) failed it within 10 runs on every seed tried; the seed
 * changes on every run, so 200 keeps a wide margin. The cursor walks keep their 60: a cursor that
 * repeats the previous page's last row inside an _id range was caught at walk 32 on one seed, and
 * not within 60 on another.
 */
const OFFSET_RUNS = 200;
/** Counts per run, each test: the same undone parenthesis fix failed both within 10 runs too. */
const COUNT_RUNS = 100;
const COLLECTION = 'diff';

let a: TestAdaptor;
let items: Item[];
let arbs: ReturnType<typeof queryArbitraries>;

/** Runs a property with the shared seed; a failure names the seed to replay it. */
async function check<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  params: fc.Parameters<[T]>,
): Promise<void> {
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        await predicate(value);
      }),
      { seed: SEED, ...params },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${name} failed; replay with QUERY_DIFF_SEED=${SEED}\n${message}`);
  }
}

beforeAll(async () => {
  a = createTestAdaptor();
  const create = await a.call('/v3/collections/create', {
    collection: { id: COLLECTION, fields: DIFF_FIELDS },
  });
  expect(create.status).toBe(200);
  const insert = await a.call('/v3/items/insert', {
    collectionId: COLLECTION,
    items: sampleItems(ITEM_COUNT, SEED),
  });
  expect(insert.status).toBe(200);
  const failed = insert.body.results.filter((r: { error?: unknown }) => r.error);
  expect(failed).toEqual([]);
  items = insert.body.results.map((r: { item: Item }) => r.item);
  expect(items).toHaveLength(ITEM_COUNT);

  // Operators and sortability come from what the collection advertises.
  const got = await a.call('/v3/collections/get', { collectionIds: [COLLECTION] });
  const caps = new Map<string, FieldCaps>(
    got.body.collections[0].fields.map((f: { key: string; capabilities: FieldCaps }) => [
      f.key,
      f.capabilities,
    ]),
  );
  expect([...caps.keys()]).toEqual(
    expect.arrayContaining(['_id', '_createdDate', 't', 'n', 'tags', 'obj', 'any']),
  );
  arbs = queryArbitraries({ caps, items });
});

describe(`query differential (seed ${process.env.QUERY_DIFF_SEED ? SEED : 'random, printed on failure'})`, () => {
  it('the data is varied: every field holds values of several kinds, and some are missing', () => {
    for (const key of ['t', 'n', 'b', 'd', 'tags', 'obj', 'any']) {
      const kinds = new Set(
        items.map((i) =>
          !(key in i)
            ? 'missing'
            : i[key] === null
              ? 'null'
              : Array.isArray(i[key])
                ? 'array'
                : typeof i[key],
        ),
      );
      expect(kinds.size).toBeGreaterThanOrEqual(3);
      expect(kinds).toContain('missing');
    }
  });

  it(`query with offset paging equals the in-memory reference (${OFFSET_RUNS} runs)`, async () => {
    const input = fc.record({
      filter: arbs.filter,
      sort: arbs.sort,
      limit: fc.integer({ min: 1, max: 50 }),
      offset: fc.integer({ min: 0, max: 60 }),
      returnTotalCount: fc.boolean(),
    });
    let nonEmpty = 0;
    await check(
      'offset query',
      input,
      async ({ filter, sort, limit, offset, returnTotalCount }) => {
        const ref = referenceQuery(items, filter, sort);
        const expected = idsOf(ref.slice(offset, offset + limit));
        if (expected.length > 0) nonEmpty += 1;
        const res = await a.call('/v3/items/query', {
          collectionId: COLLECTION,
          query: { filter, sort, paging: { limit, offset } },
          returnTotalCount,
          consistentRead: false,
        });
        expect(res.status).toBe(200);
        expect(idsOf(res.body.items)).toEqual(expected);
        expect(res.body.pagingMetadata).toEqual({
          count: expected.length,
          offset,
          ...(returnTotalCount ? { total: ref.length } : {}),
        });
      },
      { numRuns: OFFSET_RUNS },
    );
    // the generators make matches happen, not only empty pages
    expect(nonEmpty).toBeGreaterThan(0.3 * OFFSET_RUNS);
  }, 120_000);

  it('cursor paging walked to the end equals the reference list (60 runs)', async () => {
    const input = fc.record({
      query: fc.record({ filter: arbs.filter, sort: arbs.sort }),
      limit: fc.integer({ min: 5, max: 60 }),
      laterLimits: fc.array(fc.option(fc.integer({ min: 5, max: 60 }), { nil: undefined }), {
        minLength: 70,
        maxLength: 70,
      }),
      returnTotalCount: fc.boolean(),
    });
    await check(
      'cursor walk',
      input,
      async ({ query: { filter, sort }, limit, laterLimits, returnTotalCount }) => {
        const ref = idsOf(referenceQuery(items, filter, sort));
        const seen: string[] = [];
        let res = await a.call('/v3/items/query', {
          collectionId: COLLECTION,
          query: { filter, sort, cursorPaging: { limit } },
          returnTotalCount,
        });
        let pageLimit = limit;
        for (let page = 0; ; page++) {
          expect(res.status).toBe(200);
          const ids = idsOf(res.body.items);
          expect(ids.length).toBeLessThanOrEqual(pageLimit);
          seen.push(...ids);
          if (returnTotalCount) expect(res.body.pagingMetadata.total).toBe(ref.length);
          const next = res.body.pagingMetadata.cursors.next as string | null;
          if (next === null) break;
          // a next cursor promises a non-empty full page now and more after it
          expect(ids.length).toBe(pageLimit);
          expect(page).toBeLessThan(ref.length + 1);
          const later = laterLimits[page % laterLimits.length];
          if (later !== undefined) pageLimit = later;
          res = await a.call('/v3/items/query', {
            collectionId: COLLECTION,
            query: { cursorPaging: later !== undefined ? { cursor: next, limit: later } : { cursor: next } },
          });
        }
        expect(seen).toEqual(ref);
      },
      { numRuns: 60 },
    );
  }, 120_000);

  it(`count equals the reference count (${COUNT_RUNS} runs)`, async () => {
    await check(
      'count',
      arbs.filter,
      async (filter) => {
        const res = await a.call('/v3/items/count', {
          collectionId: COLLECTION,
          filter,
          consistentRead: false,
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ totalCount: referenceCount(items, filter) });
      },
      { numRuns: COUNT_RUNS },
    );
  }, 120_000);

  // BUG (see test/unit/query/dynamoEdges.test.ts "redundant parentheses"): with the whole grammar, a
  // null equality / $isEmpty true / $hasSome / $hasAll next to anything else is a 500.
  it('count equals the reference count with the whole grammar (known bugs included)', async () => {
    await check(
      'count, whole grammar',
      arbs.filter,
      async (filter) => {
        const res = await a.call('/v3/items/count', { collectionId: COLLECTION, filter });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ totalCount: referenceCount(items, filter) });
      },
      { numRuns: COUNT_RUNS, endOnFailure: true },
    );
  }, 120_000);
});
