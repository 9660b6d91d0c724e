/**
 * The index benchmark's read cases: each a request, a check of its answer against the data itself
 * (a wrong answer throws: a fast wrong planner must not pass), and a target on items read.
 * Nothing here knows which access path the adaptor takes: the numbers are what DynamoDB reports.
 */
import { median, round, steady, type Bench } from './harness';
import { commandsOf, meterOf } from './meter';
import type { Product } from './indexData';
import type { Row } from './writes';

export const PAGE = 50;

/** items read <= limit × basis; the basis says what the best access path needs. */
export interface Target {
  readonly limit: number;
  readonly basis: number;
  readonly label: string;
}

export interface ReadCase {
  readonly name: string;
  readonly path: string;
  readonly request: unknown;
  /** Throws when the answer is wrong; returns the items returned (for a count, the count). */
  readonly verify: (body: any) => number;
  /** none: a baseline, reported without PASS/FAIL */
  readonly target?: Target;
  /**
   * Measure a cursor follow-up instead: `request` (a cursor query) is sent once, unmetered, and
   * its next cursor continued with `limit` items is the request measured.
   */
  readonly followUp?: { readonly limit: number };
}

function fail(what: string): never {
  throw new Error(`index benchmark answer is wrong: ${what}`);
}

export function samePage(got: { _id: string }[], want: readonly Product[], what: string): number {
  const ids = got.map((i) => i._id);
  if (ids.length !== want.length || ids.some((id, k) => id !== want[k]!._id))
    fail(
      `${what}: got ${ids.length} [${ids.slice(0, 3).join(', ')}…], want ${want.length} [${want
        .slice(0, 3)
        .map((w) => w._id)
        .join(', ')}…]`,
    );
  return ids.length;
}

export function sameCount(got: unknown, want: number, what: string): void {
  if (got !== want) fail(`${what}: got ${String(got)}, want ${want}`);
}

const byId = (a: Product, b: Product) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
export const byPrice = (a: Product, b: Product) => a.price - b.price || byId(a, b);
/** Wix's effective sort for `price DESC`: the `_id` tie-break stays ascending. */
const byPriceDesc = (a: Product, b: Product) => b.price - a.price || byId(a, b);

/** A query request (V3 shape). */
export function query(
  collectionId: string,
  q: { filter?: unknown; sort?: unknown; limit?: number; offset?: number },
  returnTotalCount = false,
) {
  return {
    collectionId,
    query: {
      filter: q.filter ?? {},
      ...(q.sort ? { sort: q.sort } : {}),
      paging: { limit: q.limit ?? PAGE, offset: q.offset ?? 0 },
    },
    consistentRead: false,
    returnTotalCount,
  };
}

/** The cases the issue names, on `items` (in `_id` order) of `collectionId`. */
export function issueCases(collectionId: string, items: readonly Product[], category: string): ReadCase[] {
  const inCategory = items.filter((i) => i.category === category);
  const sorted = [...items].sort(byPrice);
  const expensive = items.filter((i) => i.price > 990);
  const deepOffset = inCategory.length - 2 * PAGE;
  const perReturned = { limit: 1.1, label: 'read per returned ≤ 1.1' };
  const perMatch = (limit: number) => ({
    limit,
    basis: inCategory.length,
    label: `read ≤ ${limit} × ${inCategory.length.toLocaleString('en-US')} matches`,
  });
  return [
    {
      name: `first page of ${PAGE} sorted by price`,
      path: '/v3/items/query',
      request: query(collectionId, { sort: [{ fieldName: 'price', order: 'ASC' }] }),
      verify: (body) => samePage(body.items, sorted.slice(0, PAGE), 'sorted first page'),
      target: { ...perReturned, basis: PAGE },
    },
    {
      name: `\`category = ${category}\` first page`,
      path: '/v3/items/query',
      request: query(collectionId, { filter: { category } }),
      verify: (body) => samePage(body.items, inCategory.slice(0, PAGE), 'filtered first page'),
      target: { ...perReturned, basis: PAGE },
    },
    {
      name: `\`category = ${category}\` first page + returnTotalCount`,
      path: '/v3/items/query',
      request: query(collectionId, { filter: { category } }, true),
      verify: (body) => {
        sameCount(body.pagingMetadata?.total, inCategory.length, 'total');
        return samePage(body.items, inCategory.slice(0, PAGE), 'filtered first page with total');
      },
      target: perMatch(1.2),
    },
    {
      name: `count \`category = ${category}\``,
      path: '/v3/items/count',
      request: { collectionId, filter: { category }, consistentRead: false },
      verify: (body) => {
        sameCount(body.totalCount, inCategory.length, 'count');
        return body.totalCount;
      },
      target: perMatch(1.2),
    },
    {
      name: `\`price > 990\` (${expensive.length} matches), page of ${PAGE} in \`_id\` order`,
      path: '/v3/items/query',
      request: query(collectionId, { filter: { price: { $gt: 990 } } }),
      verify: (body) => samePage(body.items, expensive.slice(0, PAGE), 'price > 990 page'),
      // the best index reads every match (then sorts them by _id)
      target: { limit: 1.1, basis: expensive.length, label: `read ≤ 1.1 × ${expensive.length} matches` },
    },
    {
      name: `deep offset in \`category = ${category}\` (offset ${deepOffset}, limit ${PAGE})`,
      path: '/v3/items/query',
      request: query(collectionId, { filter: { category }, offset: deepOffset }),
      verify: (body) =>
        samePage(body.items, inCategory.slice(deepOffset, deepOffset + PAGE), 'deep offset page'),
      target: {
        limit: 1.1,
        basis: deepOffset + PAGE,
        label: `read ≤ 1.1 × (offset + limit) = ${deepOffset + PAGE}`,
      },
    },
  ];
}

/** Where the cursor follow-up cases start: the first page holds this many items. */
const DEEP = 1000;

/** A first cursor page of DEEP items (V3 shape); the case measures its follow-up of PAGE. */
function cursorQuery(collectionId: string, q: { filter?: unknown; sort: unknown }) {
  return {
    collectionId,
    query: { filter: q.filter ?? {}, sort: q.sort, cursorPaging: { limit: DEEP } },
    consistentRead: false,
  };
}

/**
 * Cursor follow-ups deep in a walk (issue 12 item 7), for the `indexed` setting: `price DESC` on
 * the ascending price index (read backwards, the follow-up starts at its position's run of equal
 * prices: one item, prices being distinct), and a `category $in` page by price, which only
 * `indexes` holding `category, price` serve as a merge (one interval per value, each read from
 * the position on): its basis is a page per value.
 */
export function cursorCases(
  collectionId: string,
  items: readonly Product[],
  categories: string[],
): ReadCase[] {
  const byDesc = [...items].sort(byPriceDesc);
  const inSome = items.filter((i) => categories.includes(i.category)).sort(byPrice);
  return [
    {
      name: `cursor follow-up of ${PAGE} after ${DEEP} sorted by price DESC`,
      path: '/v3/items/query',
      request: cursorQuery(collectionId, { sort: [{ fieldName: 'price', order: 'DESC' }] }),
      followUp: { limit: PAGE },
      verify: (body) => samePage(body.items, byDesc.slice(DEEP, DEEP + PAGE), 'price DESC follow-up'),
      target: { limit: 1.1, basis: PAGE, label: 'read per returned ≤ 1.1' },
    },
    {
      name: `cursor follow-up of ${PAGE} after ${DEEP}: \`category $in [${categories.join(', ')}]\` by price`,
      path: '/v3/items/query',
      request: cursorQuery(collectionId, {
        filter: { category: { $in: categories } },
        sort: [{ fieldName: 'price', order: 'ASC' }],
      }),
      followUp: { limit: PAGE },
      verify: (body) => samePage(body.items, inSome.slice(DEEP, DEEP + PAGE), '$in follow-up'),
      target: {
        limit: 1.1,
        basis: categories.length * PAGE,
        label: `read ≤ 1.1 × ${categories.length} values × ${PAGE}`,
      },
    },
  ];
}

/** The request a case measures: its own, or the follow-up of its cursor query (sent unmetered). */
async function measuredRequest(b: Bench, c: ReadCase): Promise<unknown> {
  if (!c.followUp) return c.request;
  const first = await b.send(c.path, c.request);
  const cursor = first.body?.pagingMetadata?.cursors?.next;
  if (first.status !== 200 || typeof cursor !== 'string')
    fail(`${c.name}: the first page answered ${first.status} without a next cursor`);
  const { collectionId } = c.request as { collectionId: string };
  return {
    collectionId,
    query: { cursorPaging: { cursor, limit: c.followUp.limit } },
    consistentRead: false,
  };
}

/**
 * Unindexed filtered first pages at several selectivities (`bucket < k`). The target is the
 * issue's: items read ≤ 1.3 × (items needed / selectivity), the items needed being the page.
 */
export function selectivityCases(collectionId: string, items: readonly Product[]): ReadCase[] {
  return [50, 10, 2].map((k) => {
    const matching = items.filter((i) => i.bucket < k);
    const selectivity = matching.length / items.length;
    const ideal = PAGE / selectivity;
    return {
      name: `no index: \`bucket < ${k}\` (${round(selectivity * 100, 1)}%), first page of ${PAGE}`,
      path: '/v3/items/query',
      request: query(collectionId, { filter: { bucket: { $lt: k } } }),
      verify: (body) => samePage(body.items, matching.slice(0, PAGE), `bucket < ${k} page`),
      target: {
        limit: 1.3,
        basis: ideal,
        label: `read ≤ 1.3 × ${PAGE} / selectivity = ${round(1.3 * ideal, 0)}`,
      },
    };
  });
}

function refusedRow(
  c: ReadCase,
  setting: string,
  status: number,
  body: any,
  itemsRead: number,
  ms: number,
): Row {
  return {
    case: c.name,
    setting,
    reps: 1,
    // a DynamoDB call cut at the deadline reports nothing: what was read is at least this
    'items read': `≥ ${itemsRead}`,
    'items returned': `refused: ${status} ${String(body?.errorCode ?? '')}`.trim(),
    'p50 ms': round(ms),
    target: c.target ? c.target.label : 'baseline (no target)',
    result: c.target ? 'FAIL' : '',
  };
}

/** Runs a case `warmups + reps` times (a refusal ends it and is reported); the target is judged on the worst repetition. */
export async function runReadCase(
  b: Bench,
  c: ReadCase,
  opts: { reps: number; warmups: number; setting: string },
): Promise<Row> {
  const meter = meterOf(b.deps.db);
  const ms: number[] = [];
  const read: number[] = [];
  const returned: number[] = [];
  const requests = new Set<string>();
  const request = await measuredRequest(b, c);
  for (let r = 0; r < opts.warmups + opts.reps; r++) {
    const { result, meter: m } = await meter.measure(() => b.send(c.path, request));
    if (result.status !== 200) {
      // A refusal (e.g. QUERY_TOO_EXPENSIVE once the request's budget is spent) is the result.
      return refusedRow(c, opts.setting, result.status, result.body, m.itemsRead, result.ms);
    }
    const n = c.verify(result.body);
    if (r < opts.warmups) continue;
    ms.push(result.ms);
    read.push(m.itemsRead);
    returned.push(n);
    requests.add(commandsOf(m.requests));
  }
  const worst = Math.max(...read);
  const row: Row = {
    case: c.name,
    setting: opts.setting,
    reps: opts.reps,
    'items read': steady(read, 0),
    'items returned': steady(returned, 0),
    'read per returned': steady(read.map((x, k) => x / Math.max(1, returned[k]!))),
    'p50 ms': round(median(ms)),
    'DynamoDB requests': [...requests].join(' / '),
    target: c.target ? c.target.label : 'baseline (no target)',
    'read / target basis': c.target ? round(worst / c.target.basis, 2) : '',
    result: c.target ? (worst <= c.target.limit * c.target.basis ? 'PASS' : 'FAIL') : '',
  };
  return row;
}
