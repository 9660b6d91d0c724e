/**
 * Page filling without an index reads what the measured selectivity needs (issue 12 item 6): items
 * DynamoDB read (ScannedCount, counted by the client's metering in store/client.ts) for a filtered
 * first page stay within 1.3 times (matches needed / selectivity).
 */
import { resetStats } from '../../lambda/store/client';
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';

/**
 * More items than any case may read (1.3 times its need; at most 1,573, for 10 % at offset 100), so
 * every over-read shows instead of stopping at the end of the collection. The 1 % case asks for a
 * page of 10 (about 1,100 items to read), which keeps it inside them.
 */
const COUNT = 2_000;
/** Percentages of items each filter keeps. */
const SELECTIVITIES = [50, 10, 5, 1] as const;

/** Item i matches the p % filter when its slot in a fixed shuffle of 0..99 is below p: matches spread out. */
const slot = (i: number) => (i * 37 + 11) % 100;

let a: TestAdaptor;

beforeAll(async () => {
  a = createTestAdaptor();
  await a.call('/v3/collections/create', {
    collection: { id: 'sel', fields: SELECTIVITIES.map((p) => ({ key: `p${p}`, type: 'BOOLEAN' })) },
  });
  const items = Array.from({ length: COUNT }, (_, i) => ({
    _id: `i${String(i).padStart(5, '0')}`,
    ...Object.fromEntries(SELECTIVITIES.map((p) => [`p${p}`, slot(i) < p])),
  }));
  const chunks = Array.from({ length: COUNT / 500 }, (_, k) => items.slice(k * 500, (k + 1) * 500));
  await Promise.all(chunks.map((chunk) => a.call('/v3/items/insert', { collectionId: 'sel', items: chunk })));
}, 120_000);

describe('a filtered page reads what its selectivity needs', () => {
  it.each([
    // [selectivity %, page size, offset]
    [50, 50, 0],
    [10, 50, 0],
    [5, 50, 0],
    [1, 10, 0],
    [10, 20, 100],
  ])('%i %% of items match, page of %i at offset %i', async (p, limit, offset) => {
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/query', {
      collectionId: 'sel',
      query: { filter: { [`p${p}`]: true }, paging: { limit, offset } },
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(limit);
    expect(res.body.items.every((item: Record<string, unknown>) => item[`p${p}`] === true)).toBe(true);
    // The page needs offset + limit + 1 matches (one more tells whether another page exists).
    const need = (offset + limit + 1) / (p / 100);
    const read = a.deps.db.stats.itemsRead;
    expect(read).toBeGreaterThanOrEqual(Math.floor(need * 0.9));
    expect(read).toBeLessThanOrEqual(1.3 * need);
    // and in few round trips: the first page, then pages sized by what was measured
    expect(a.deps.db.stats.requests.QueryCommand).toBeLessThanOrEqual(4);
  });

  it('reads every page whole when the answer needs every match (a total)', async () => {
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/query', {
      collectionId: 'sel',
      query: { filter: { p10: true }, paging: { limit: 5 } },
      returnTotalCount: true,
    });
    expect(res.body.pagingMetadata.total).toBe(COUNT / 10);
    expect(a.deps.db.stats.itemsRead).toBe(COUNT);
    // no Limit: DynamoDB's 1 MB pages, one request for these small items
    expect(a.deps.db.stats.requests.QueryCommand).toBe(1);
  });
});
