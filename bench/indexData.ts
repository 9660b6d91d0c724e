/**
 * Data and set-up for the index benchmark: products of a realistic shape, loaded through the
 * adaptor's own bulk insert (so items carry exactly what the adaptor writes, index keys included),
 * and index creation through `/v3/indexes/create` with a wait for ACTIVE.
 */
import type { Bench } from './harness';

export const CATEGORIES = [
  'books',
  'garden',
  'toys',
  'music',
  'sports',
  'kitchen',
  'beauty',
  'tools',
  'games',
  'office',
] as const;
const COLORS = ['red', 'green', 'blue', 'black', 'white', 'grey', 'yellow'] as const;

export interface Product {
  _id: string;
  /** distinct for every item of a collection: the price order is unambiguous */
  price: number;
  category: string;
  name: string;
  /** 0..99, spread evenly over the `_id` order: `bucket < k` selects k% of the items */
  bucket: number;
  specs: { weight: number; color: string };
}

export const PRODUCT_FIELDS = [
  { key: 'price', type: 'NUMBER' },
  { key: 'category', type: 'TEXT' },
  { key: 'name', type: 'TEXT' },
  { key: 'bucket', type: 'NUMBER' },
  { key: 'specs', type: 'OBJECT' },
];

/** Items `from`..`to - 1` of an `n`-item collection (generated in slices so 200,000 need no big array). */
export function products(n: number, from: number, to: number): Product[] {
  const out: Product[] = [];
  for (let i = from; i < to; i++) {
    out.push({
      _id: `p-${String(i).padStart(6, '0')}`,
      // 7919 is prime and coprime with both sizes used: a permutation of 0..n-1 scaled to [0, 1000)
      price: (((i * 7919) % n) * 1000) / n,
      category: CATEGORIES[i % CATEGORIES.length]!,
      name: `Product ${i} ${COLORS[i % COLORS.length]}`,
      bucket: (i * 37) % 100,
      specs: { weight: ((i * 31) % 500) / 10, color: COLORS[(i * 3) % COLORS.length]! },
    });
  }
  return out;
}

async function mapLimit(count: number, limit: number, fn: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Small enough that a request ends well within its deadline on a busy machine. */
export const INSERT_BATCH = 250;

/** Attempts per batch: a busy machine can make DynamoDB Local miss the adaptor's per-call timeout. */
const INSERT_ATTEMPTS = 5;

interface ItemOutcome {
  error?: { errorCode?: string };
}

/**
 * Inserts one batch. Items refused with a retryable SERVICE_UNAVAILABLE are sent again; on such a
 * retry ITEM_ALREADY_EXISTS means the first attempt's write had landed, which is a success.
 */
async function insertBatch(b: Bench, collectionId: string, batch: Product[]): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const res = await b.call('/v3/items/insert', { collectionId, items: pending });
    const outcomes: ItemOutcome[] = res.body.results;
    const fatal = outcomes.filter(
      (r) =>
        r.error &&
        r.error.errorCode !== 'SERVICE_UNAVAILABLE' &&
        !(attempt > 1 && r.error.errorCode === 'ITEM_ALREADY_EXISTS'),
    );
    if (fatal.length)
      throw new Error(
        `${fatal.length} inserts into ${collectionId} failed, e.g. ${JSON.stringify(fatal[0])}`,
      );
    pending = pending.filter((_, k) => outcomes[k]!.error?.errorCode === 'SERVICE_UNAVAILABLE');
    if (pending.length && attempt >= INSERT_ATTEMPTS)
      throw new Error(
        `${pending.length} inserts into ${collectionId} still unavailable after ${attempt} tries`,
      );
  }
}

/** Inserts `n` products into the collection, `parallel` requests of INSERT_BATCH at a time; ms taken. */
export async function loadProducts(
  b: Bench,
  collectionId: string,
  n: number,
  parallel: number,
): Promise<number> {
  const started = performance.now();
  await mapLimit(Math.ceil(n / INSERT_BATCH), parallel, async (k) => {
    const from = k * INSERT_BATCH;
    await insertBatch(b, collectionId, products(n, from, Math.min(n, from + INSERT_BATCH)));
  });
  return performance.now() - started;
}

export async function createProducts(b: Bench, collectionId: string): Promise<void> {
  const res = await b.send('/v3/collections/create', {
    collection: { id: collectionId, fields: PRODUCT_FIELDS },
  });
  // The bench's tenant is new: a 409 can only be this very create, whose write landed on an attempt
  // the SDK then retried (seen on a busy machine).
  if (res.status !== 200 && res.body?.errorCode !== 'COLLECTION_ALREADY_EXISTS')
    throw new Error(
      `create ${collectionId} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`,
    );
}

export interface IndexSpec {
  name: string;
  fields: { path: string; order?: 'ASC' | 'DESC' }[];
}

export const PRICE_INDEX: IndexSpec = { name: 'byPrice', fields: [{ path: 'price' }] };
export const CATEGORY_INDEX: IndexSpec = { name: 'byCategory', fields: [{ path: 'category' }] };
export const WEIGHT_INDEX: IndexSpec = { name: 'byWeight', fields: [{ path: 'specs.weight' }] };
/** Serves a `category $in [...]` page by price as a merge of one interval per category. */
export const CATEGORY_PRICE_INDEX: IndexSpec = {
  name: 'byCategoryPrice',
  fields: [{ path: 'category' }, { path: 'price' }],
};

const ACTIVE_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 100;

/** Creates the indexes and polls `/v3/indexes/list` until all are ACTIVE; ms from the first create. */
export async function createIndexesAndWait(
  b: Bench,
  collectionId: string,
  indexes: readonly IndexSpec[],
): Promise<number> {
  const started = performance.now();
  for (const index of indexes) await b.call('/v3/indexes/create', { collectionId, index });
  for (;;) {
    const res = await b.call('/v3/indexes/list', { collectionId });
    const listed: { name: string; status: string }[] = res.body.indexes;
    const status = indexes.map((i) => listed.find((l) => l.name === i.name)?.status);
    if (status.every((s) => s === 'ACTIVE')) return performance.now() - started;
    if (status.some((s) => s !== 'BUILDING' && s !== 'ACTIVE'))
      throw new Error(`indexes of ${collectionId}: ${JSON.stringify(listed)}`);
    if (performance.now() - started > ACTIVE_TIMEOUT_MS)
      throw new Error(`indexes of ${collectionId} not ACTIVE after ${ACTIVE_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
