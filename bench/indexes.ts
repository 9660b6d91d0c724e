/**
 * Index benchmark (issue 12): what reads cost with and without Wix indexes, the backfill time, the
 * write capacity an index adds, and a sorted first page on 200,000 items. Each case carries the
 * issue's target and PASS/FAIL against it; the numbers are whatever the adaptor under test does.
 *
 * `INDEX_BENCH_200K=0` skips the 200,000-item part (the longest: about 200,000 inserts).
 */
import { round, type Bench } from './harness';
import { aggregateRows } from './indexAggregateCases';
import {
  cursorCases,
  issueCases,
  PAGE,
  runReadCase,
  samePage,
  byPrice,
  query,
  selectivityCases,
} from './indexCases';
import {
  CATEGORY_INDEX,
  CATEGORY_PRICE_INDEX,
  createIndexesAndWait,
  createProducts,
  INSERT_BATCH,
  loadProducts,
  PRICE_INDEX,
  products,
  WEIGHT_INDEX,
  type IndexSpec,
  type Product,
} from './indexData';
import { meterOf } from './meter';

async function buildsIdle(b: Bench): Promise<void> {
  await (b.deps.indexBuilder as { idle?: () => Promise<void> }).idle?.();
}
import type { Row } from './writes';

const N = 20_000;
const BIG = 200_000;
const CATEGORY = 'toys';
const PARALLEL = 2;
const WRITES_PER_CASE = 500;

export const INDEXES_NOTE = [
  `Products of a realistic shape (price: distinct numbers in [0, 1000); category: 10 values, so \`category = X\` matches 10%; name text; bucket 0..99 for selectivities; a nested \`specs\` object), loaded through \`/v3/items/insert\` (${INSERT_BATCH} per request, ${PARALLEL} at a time), so items carry exactly what the adaptor writes.`,
  `The ${N.toLocaleString('en-US')}-item collection is measured first with no index (setting \`no index\`), then with indexes on \`price\` and \`category\` created through \`/v3/indexes/create\` (setting \`indexed\`); the backfill row is the time from the first create to both listed ACTIVE (polled every 100 ms; the bench runs builds at once, \`INDEX_BUILD_GRACE_MS=0\`, as nothing else writes).`,
  'The cursor follow-up rows measure the page after a first cursor page of 1,000 (sent unmetered): `price DESC` on the ascending price index, and a `category $in` page by price through a `category, price` index created after the other `indexed` rows ran (so their figures are those of the two indexes alone).',
  'Every answer is checked against the data (ids, order, counts); a wrong answer stops the run.',
  '',
  "- **items read**: what AWS bills as read: ScannedCount of every Query (table or GSI, before the FilterExpression), plus every item a GetItem/BatchGetItem fetched from an item partition; the collection-record GetItem each request makes is not an item. Counted by a metering middleware on the adaptor's DynamoDB client. `m (lo–hi)`: median (range) over the repetitions.",
  '- **target / result**: the issue\'s target; PASS when the worst repetition meets it. **read / target basis** is that worst items read divided by the basis (the page for "per returned", the matches for counts and totals, offset + limit for a deep offset, page / selectivity without an index).',
  '- **p50 ms**: median HTTP round trip through the local server against DynamoDB Local in memory on this machine (not AWS latencies).',
  '- **write units per item**: capacity DynamoDB Local reports (ReturnConsumedCapacity INDEXES) for inserting items through the adaptor, per item, with the table/GSI split; target ≤ 1 + indexes (one unit for the item, one per GSI entry, items under 1 KB).',
  `- The ${BIG.toLocaleString('en-US')}-item collection gets its \`price\` index while empty (ACTIVE at once), then the items: the stored items and index entries are the same as a backfill would leave, without 200,000 backfill writes in the run. Skip it with \`INDEX_BENCH_200K=0\`.`,
].join('\n');

async function readCases(
  b: Bench,
  rows: Row[],
  cases: ReturnType<typeof issueCases>,
  setting: string,
  reps: number,
  warmups = 1,
): Promise<void> {
  for (const c of cases) rows.push(await runReadCase(b, c, { reps, warmups, setting }));
}

/** Write units per inserted item on a fresh collection with `indexes` (created while empty). */
async function writeCost(b: Bench, collectionId: string, indexes: readonly IndexSpec[]): Promise<Row> {
  await createProducts(b, collectionId);
  if (indexes.length) await createIndexesAndWait(b, collectionId, indexes);
  // The build ends (its marker deleted) just after ACTIVE is listed: keep it out of the measure.
  await buildsIdle(b);
  const items = products(WRITES_PER_CASE, 0, WRITES_PER_CASE);
  const { result, meter } = await meterOf(b.deps.db).measure(() =>
    b.call('/v3/items/insert', { collectionId, items }),
  );
  const failed = result.body.results.filter((r: { error?: unknown }) => r.error).length;
  if (failed) throw new Error(`${failed} inserts into ${collectionId} failed`);
  const perItem = meter.writeUnits / WRITES_PER_CASE;
  const limit = 1 + indexes.length;
  return {
    case: `write units per insert, ${indexes.length} index${indexes.length === 1 ? '' : 'es'}${
      indexes.length ? ` (${indexes.map((i) => i.fields[0]!.path).join(', ')})` : ''
    }`,
    setting: `${WRITES_PER_CASE} inserts, one request`,
    'write units per item': round(perItem, 3),
    'table / GSI units per item': `${round(meter.tableWriteUnits / WRITES_PER_CASE, 3)} / ${round(
      meter.indexWriteUnits / WRITES_PER_CASE,
      3,
    )}`,
    ms: round(result.ms),
    'DynamoDB requests': Object.entries(meter.requests)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    target: `≤ ${limit} write units per item`,
    result: perItem <= limit ? 'PASS' : 'FAIL',
  };
}

/** The 50 cheapest of an `n`-item collection without building it: price rank k is item k × 7919⁻¹ mod n. */
function cheapest(n: number, count: number): Product[] {
  const out: Product[] = [];
  for (let i = 0; i < n; i++) if ((i * 7919) % n < count) out.push(products(n, i, i + 1)[0]!);
  return out.sort(byPrice);
}

export async function bigCollection(b: Bench, rows: Row[], n = BIG): Promise<void> {
  const collectionId = `idx${n}`;
  await createProducts(b, collectionId);
  await createIndexesAndWait(b, collectionId, [PRICE_INDEX]);
  const loadMs = await loadProducts(b, collectionId, n, PARALLEL);
  rows.push({
    case: `load ${n.toLocaleString('en-US')} items (price index ACTIVE)`,
    setting: `${n / INSERT_BATCH} requests of ${INSERT_BATCH}, ${PARALLEL} at a time`,
    ms: round(loadMs),
    target: 'report',
  });
  const first = cheapest(n, PAGE);
  const page = {
    name: `${n.toLocaleString('en-US')} items: first page of ${PAGE} sorted by price`,
    path: '/v3/items/query',
    request: query(collectionId, { sort: [{ fieldName: 'price', order: 'ASC' }] }),
    verify: (body: any) => samePage(body.items, first, `${n} sorted first page`),
    target: { limit: 1.1, basis: PAGE, label: 'read per returned ≤ 1.1' },
  };
  rows.push(await runReadCase(b, page, { reps: 10, warmups: 1, setting: 'indexed (price)' }));
}

export async function indexBenchmarks(b: Bench): Promise<Row[]> {
  const rows: Row[] = [];
  const collectionId = 'idx20k';
  await createProducts(b, collectionId);
  const loadMs = await loadProducts(b, collectionId, N, PARALLEL);
  process.stderr.write(`indexes: loaded ${N} items in ${round(loadMs / 1000)} s\n`);
  const items = products(N, 0, N);

  // Before any index: the same cases as a baseline, and page filling at several selectivities.
  const baseline = issueCases(collectionId, items, CATEGORY).map((c) => ({ ...c, target: undefined }));
  // One run each: without an index these read the whole collection (or are refused).
  await readCases(b, rows, baseline, 'no index', 1, 0);
  await readCases(b, rows, selectivityCases(collectionId, items), 'no index', 5);

  const meter = meterOf(b.deps.db);
  const build = await meter.measure(() =>
    createIndexesAndWait(b, collectionId, [PRICE_INDEX, CATEGORY_INDEX]),
  );
  rows.push({
    case: `backfill ${N.toLocaleString('en-US')} items, indexes on price and category: create → ACTIVE`,
    setting: 'indexed',
    'items read': build.meter.itemsRead,
    'write units per item': round(build.meter.writeUnits / N, 3),
    ms: round(build.result),
    'DynamoDB requests': Object.entries(build.meter.requests)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    target: 'report',
  });
  process.stderr.write(`indexes: backfill ${round(build.result / 1000)} s\n`);
  await readCases(b, rows, issueCases(collectionId, items, CATEGORY), 'indexed (price, category)', 10);
  rows.push(...(await aggregateRows(b, collectionId, items, CATEGORY))); // aggregate: bench/indexAggregateCases.ts
  // Cursor follow-ups deep in a walk; the `category, price` index comes after the cases above, so
  // their figures (and the backfill row) are those of the price and category indexes alone.
  await createIndexesAndWait(b, collectionId, [CATEGORY_PRICE_INDEX]);
  await readCases(
    b,
    rows,
    cursorCases(collectionId, items, [CATEGORY, 'books', 'games']),
    'indexed (price, category; category, price)',
    10,
  );

  rows.push(await writeCost(b, 'idxw0', []));
  rows.push(await writeCost(b, 'idxw1', [PRICE_INDEX]));
  rows.push(await writeCost(b, 'idxw3', [PRICE_INDEX, CATEGORY_INDEX, WEIGHT_INDEX]));

  if (process.env.INDEX_BENCH_200K !== '0') await bigCollection(b, rows);
  else process.stderr.write('indexes: 200,000-item part skipped (INDEX_BENCH_200K=0)\n');
  return rows;
}
