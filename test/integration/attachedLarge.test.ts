/**
 * A 10,000+ item table created by another program, attached read-only: what a key lookup, a
 * GSI-served query and a scan-served query read (the numbers bench/attached.ts reports), parallel
 * Scan segments, and the read budget stopping a scan with a clear 4xx.
 */
import { randomUUID } from 'node:crypto';
import { resetStats, totalRequests } from '../../lambda/store/client';
import { createTestAdaptor, testDeps } from '../helpers/adaptor';
import {
  createForeignTable,
  eventItems,
  eventsTable,
  putForeignItems,
  EVENT_TYPES,
} from '../helpers/foreignTables';

const TABLE = `events-${randomUUID()}`;
const COUNT = 10_050;
const SITE = `site-${randomUUID()}`;
const entry = JSON.stringify([{ table: TABLE, collectionId: 'Events', tenants: [SITE] }]);
const deps = testDeps({ ATTACH_TABLES: entry });
const a = createTestAdaptor({ deps, tenant: SITE });

beforeAll(async () => {
  await createForeignTable(deps.db.client, eventsTable(TABLE));
  await putForeignItems(deps.db.client, TABLE, eventItems(COUNT));
  // The first request of a process describes and samples the table (cached): measure warm requests.
  expect((await a.call('/v3/collections/get', { collectionIds: ['Events'] })).status).toBe(200);
}, 300_000);

const query = (q: Record<string, unknown>) => a.call('/v3/items/query', { collectionId: 'Events', query: q });

describe(`an attached table of ${COUNT} items`, () => {
  it('answers a key lookup reading one item', async () => {
    resetStats(deps.db.stats);
    const res = await query({ filter: { _id: 'ev-004242' } });
    expect(res.body.items).toEqual([
      { _id: 'ev-004242', type: `t${4242 % EVENT_TYPES}`, n: 4242, level: 42, payload: 'x'.repeat(300) },
    ]);
    expect(deps.db.stats.requests).toEqual({ GetItemCommand: 1 });
  });

  it('answers a GSI-served query reading only its matches', async () => {
    resetStats(deps.db.stats);
    const res = await query({
      filter: { type: 't7', n: { $gte: 5000 } },
      sort: [{ fieldName: 'n', order: 'ASC' }],
      paging: { limit: 10 },
    });
    const matches = Array.from({ length: COUNT }, (_, i) => i).filter(
      (i) => i % EVENT_TYPES === 7 && i >= 5000,
    );
    expect(res.body.items.map((i: { n: number }) => i.n)).toEqual(matches.slice(0, 10));
    expect(deps.db.stats.requests).toEqual({ QueryCommand: 1 });
    expect(deps.db.stats.itemsRead).toBe(matches.length);
  });

  it('answers a scan-served query in parallel segments, reading the table once', async () => {
    resetStats(deps.db.stats);
    const res = await a.call('/v3/items/query', {
      collectionId: 'Events',
      query: { filter: { level: 99 }, paging: { limit: 5 } },
      returnTotalCount: true,
    });
    expect(res.body.pagingMetadata.total).toBe(Math.floor(COUNT / 100) + (COUNT % 100 > 99 ? 1 : 0));
    expect(res.body.items.map((i: { _id: string }) => i._id)).toEqual([
      'ev-000099',
      'ev-000199',
      'ev-000299',
      'ev-000399',
      'ev-000499',
    ]);
    expect(deps.db.stats.itemsRead).toBe(COUNT);
    // ceil(10,050 / 5,000) = 3 segments, each at least one request
    expect(deps.db.stats.requests.ScanCommand).toBeGreaterThanOrEqual(3);
  });

  it('counts with Select COUNT when DynamoDB evaluates the whole filter', async () => {
    resetStats(deps.db.stats);
    const res = await a.call('/v3/items/count', { collectionId: 'Events', filter: { level: { $lt: 10 } } });
    expect(res.body.totalCount).toBe(
      Array.from({ length: COUNT }, (_, i) => i % 100).filter((l) => l < 10).length,
    );
    expect(totalRequests(deps.db.stats)).toBe(deps.db.stats.requests.ScanCommand);
  });

  it('stops a scan past the read budget with a 400 QUERY_TOO_EXPENSIVE', async () => {
    const small = createTestAdaptor({
      deps: testDeps({ ATTACH_TABLES: entry, QUERY_MAX_ITEMS_READ: '1000' }),
      tenant: SITE,
    });
    const res = await small.call('/v3/items/query', {
      collectionId: 'Events',
      query: { filter: { level: 99 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('QUERY_TOO_EXPENSIVE');
  });
});
