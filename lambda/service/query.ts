/**
 * Query and count, protocol-neutral: parse -> validate -> plan -> execute (store) -> filter, sort and
 * page in memory -> project. Pages fill: DynamoDB's Limit counts items read, so reading continues until
 * the page holds `limit` matches, the data ends, or the request's budget is spent.
 */
import type { Config } from '../config';
import { ValidationError } from '../errors';
import type { RequestContext } from '../model/context';
import type { Node, SortKey } from '../query/ast';
import { decodeCursor, encodeCursor, type CursorState } from '../query/cursor';
import { matches } from '../query/evaluate';
import { parseFilter } from '../query/parse';
import type { Plan } from '../query/plan';
import { project } from '../query/project';
import { sortRows, TopK, type Row, type Tick } from '../query/sort';
import { compareSortValues, getPath, sortValue, type SortValue } from '../query/values';
import type { Deps } from '../model/deps';
import type { CollectionRecord } from './collectionModel';
import type { Budget } from '../store/paginate';
import type { WixItem } from '../store/items';
import { collectByIndex, countByIndex } from './indexQuery';
import { forEachIndexedMatch } from './indexMatches';
import { speculate, withSpeculation } from './idLookup';
import { planFor, readerFor, type Reader } from './readers';
import { resolveCollection } from './sources';
import { fieldPolicy, checkSort } from './queryPolicy';

export interface QuerySpec {
  readonly collectionId: string;
  readonly filter: unknown;
  readonly sort: readonly SortKey[];
  readonly fields: readonly string[] | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly cursorMode: boolean;
  readonly cursor: string | undefined;
  /** The limit came from the request (on a follow-up page it overrides the cursor's). */
  readonly limitGiven: boolean;
  readonly returnTotalCount: boolean;
  readonly consistentRead: boolean;
}

export interface QueryResult {
  items: WixItem[];
  /** The collection as it was read for this query (for includeReferencedItems). */
  record: CollectionRecord;
  offset: number;
  total: number | undefined;
  /** Cursor mode only: the next page's cursor, or null on the last page. */
  nextCursor: string | null | undefined;
  /**
   * Cursor mode only: a cursor that continues right after `items[index]`, for an answer cut shorter
   * than the page (Lambda's response limit, protocol/fitPage.ts).
   */
  cursorAfter: ((index: number) => string) | undefined;
}

/** The store's view of the request's budget: every page read is charged to it. */
export function budgetOf(ctx: RequestContext): Budget {
  return { request: ctx.budget };
}

/** The position after `row` in the effective sort: its sort values (the last one is `_id`). */
function positionOf(row: Row, sort: readonly SortKey[]): unknown[] {
  return sort.map((s) => getPath(row, s.field).value ?? null);
}

/** A test for "comes after the cursor's position", with the position's sort values built once. */
function afterPosition(position: readonly unknown[], sort: readonly SortKey[]): (row: Row) => boolean {
  const at: SortValue[] = sort.map((_, i) => sortValue(position[i] ?? null));
  return (row) => {
    for (let i = 0; i < sort.length; i++) {
      const s = sort[i]!;
      const c = compareSortValues(sortValue(getPath(row, s.field).value ?? null), at[i]!);
      if (c !== 0) return s.desc ? c < 0 : c > 0;
    }
    return false;
  };
}

/**
 * The largest offset for a sort DynamoDB cannot serve in key order (any sort not led by `_id`): such a
 * page is chosen in memory from every match, keeping the best offset + limit + 1 rows. With this cap
 * that is at most 11,001 rows whatever the collection's size; cursor paging holds one page.
 */
export const MAX_SORTED_OFFSET = 10_000;

interface Scan {
  rows: Row[];
  /** matches of the whole query, when counted along the way */
  total: number | undefined;
}

/** Collects the page (plus one row, to know whether more exist) for a plan. */
async function collect(
  ctx: RequestContext,
  reader: Reader,
  p: Plan,
  opts: {
    skip: number;
    take: number;
    position: unknown[] | undefined;
    wantTotal: boolean;
    consistent: boolean;
  },
): Promise<Scan> {
  const { skip, take, position, wantTotal, consistent } = opts;
  const tick: Tick = () => ctx.budget.tick();
  const isAfter = position ? afterPosition(position, p.sort) : undefined;
  const after = (row: Row) => !isAfter || isAfter(row);
  const path = p.path;
  if (path.kind === 'none') return { rows: [], total: 0 };
  if (path.kind === 'get') {
    const found = await reader.get(path.ids, consistent);
    const all = sortRows(
      [...found.values()].filter((item) => matches(p.filter, item, tick)),
      p.sort,
      tick,
    );
    const rows = all.filter(after).slice(skip, skip + take);
    return { rows, total: position ? undefined : all.length };
  }
  const budget = budgetOf(ctx);
  if (path.orderedBySort) {
    // Key order is the requested order: stop as soon as the page is full (unless counting).
    const rows: Row[] = [];
    let seen = 0;
    const stream = reader.stream(path, {
      consistent,
      budget,
      // the Limit of each page follows the matches found so far (store/pageLimit.ts)
      ...(wantTotal ? {} : { wanted: skip + take, matched: () => seen }),
    });
    for await (const page of stream) {
      for (const item of page) {
        // the key condition resumes after the cursor, but an inclusive BETWEEN may repeat that row
        if (!matches(p.filter, item, tick) || !after(item)) continue;
        seen += 1;
        if (seen > skip && rows.length < take) rows.push(item);
      }
      if (!wantTotal && rows.length >= take) break;
    }
    return { rows, total: wantTotal ? seen : undefined };
  }
  // Any other order: read every match once, keeping only the best skip + take rows in memory.
  if (skip > MAX_SORTED_OFFSET) {
    throw new ValidationError(
      `offset ${skip} is above ${MAX_SORTED_OFFSET}, the largest offset for a sort on a field other than _id ` +
        '(such pages are sorted in memory); use cursor paging, which holds one page at a time, sort by _id, ' +
        'or narrow the filter',
      [{ fieldPath: 'paging.offset', rejectedValue: String(skip), message: `at most ${MAX_SORTED_OFFSET}` }],
    );
  }
  const top = new TopK(skip + take, p.sort, tick);
  let total = 0;
  for await (const page of reader.stream(path, { consistent, budget })) {
    for (const item of page) {
      if (!matches(p.filter, item, tick)) continue;
      total += 1;
      if (after(item)) top.add(item);
    }
  }
  return { rows: top.sorted().slice(skip, skip + take), total: position ? undefined : total };
}

export async function queryItems(deps: Deps, ctx: RequestContext, spec: QuerySpec): Promise<QueryResult> {
  // An `_id` lookup reads its items while the record is read (service/idLookup.ts).
  const speculation =
    spec.cursor === undefined
      ? speculate(deps, ctx, spec.collectionId, spec.filter, spec.consistentRead)
      : undefined;
  const record = await resolveCollection(deps, ctx, spec.collectionId);
  let state: CursorState | undefined;
  if (spec.cursor !== undefined) {
    state = decodeCursor(spec.cursor, ctx.tenant, deps.config.cursorSecret, spec.collectionId);
    if (state.g !== record.generation) {
      throw new ValidationError('invalid cursor: the collection was truncated since it was issued', [
        { fieldPath: 'cursorPaging.cursor', message: 'expired by truncate' },
      ]);
    }
  }
  const rawFilter = state ? state.f : spec.filter;
  const sort: SortKey[] = state ? state.s.map(([field, desc]) => ({ field, desc })) : [...spec.sort];
  const fields = state ? state.p : spec.fields;
  const limit = state && !spec.limitGiven ? state.l : spec.limit;
  const wantTotal = state ? state.t === true || spec.returnTotalCount : spec.returnTotalCount;
  const policy = fieldPolicy(record);
  const filter = parseFilter(rawFilter, policy);
  checkSort(record, sort);

  const position = state?.a;
  const idOrdered = (sortKeys: readonly SortKey[]) => sortKeys.length === 0 || sortKeys[0]!.field === '_id';
  const afterId = position && idOrdered(sort) ? String(position[position.length - 1]) : undefined;
  const p = planFor(record, ctx.tenant, filter, sort, {
    ...(afterId !== undefined ? { afterId } : {}),
    consistent: spec.consistentRead,
  });
  const skip = spec.cursorMode ? 0 : spec.offset;
  // --- index-backed reads (query/indexPlan.ts): the cheapest ACTIVE index, if one beats the base
  // table. Own collections only (an attached table has no Wix indexes), never for consistentRead
  // (a GSI is eventually consistent). Cursor follow-ups resume after their position inside an
  // index whose key order gives the sort (query/indexResume.ts); their total is counted apart.
  const indexed =
    !record.attached && p.path.kind === 'query' && !spec.consistentRead
      ? await collectByIndex(deps, ctx, record, filter, p.sort, {
          skip,
          take: limit + 1,
          wantTotal: wantTotal && !position,
          maxSortedOffset: MAX_SORTED_OFFSET,
          budget: budgetOf(ctx),
          ...(position ? { resume: { position, after: afterPosition(position, p.sort) } } : {}),
        })
      : undefined;
  // --- end of index-backed reads
  const reader = withSpeculation(
    readerFor(deps.db, record, ctx.tenant, budgetOf(ctx)),
    speculation,
    record.generation,
  );
  const scan: Scan = indexed
    ? { rows: indexed.rows, total: indexed.total }
    : await collect(ctx, reader, p, {
        skip,
        take: limit + 1,
        position,
        wantTotal: wantTotal && !position,
        consistent: spec.consistentRead,
      });
  let total = scan.total;
  if (wantTotal && total === undefined)
    total = await countItems(deps, ctx, {
      collectionId: spec.collectionId,
      filter: rawFilter,
      consistentRead: spec.consistentRead,
    });
  const hasMore = scan.rows.length > limit;
  const rows = scan.rows.slice(0, limit);

  let nextCursor: string | null | undefined;
  let cursorAfter: ((index: number) => string) | undefined;
  if (spec.cursorMode) {
    const cursorAt = (row: Row) =>
      encodeCursor(
        {
          c: spec.collectionId,
          g: record.generation,
          f: rawFilter ?? null,
          s: sort.map((s) => [s.field, s.desc]),
          ...(fields && fields.length > 0 ? { p: [...fields] } : {}),
          l: limit,
          a: positionOf(row, p.sort),
          ...(wantTotal ? { t: true } : {}),
        },
        ctx.tenant,
        deps.config.cursorSecret,
      );
    const last = rows[rows.length - 1];
    nextCursor = hasMore && last ? cursorAt(last) : null;
    cursorAfter = (index) => cursorAt(rows[index]!);
  }
  return {
    record,
    items: rows.map((r) => project(r, fields)),
    offset: skip,
    total: wantTotal ? total : undefined,
    nextCursor,
    cursorAfter,
  };
}

export interface CountSpec {
  readonly collectionId: string;
  readonly filter: unknown;
  readonly consistentRead: boolean;
}

/** Exact count: Select COUNT when DynamoDB evaluates the whole filter, otherwise counted in memory. */
export async function countItems(deps: Deps, ctx: RequestContext, spec: CountSpec): Promise<number> {
  const record = await resolveCollection(deps, ctx, spec.collectionId);
  const filter = parseFilter(spec.filter, fieldPolicy(record));
  const p = planFor(record, ctx.tenant, filter, [], { consistent: spec.consistentRead });
  const path = p.path;
  // --- index-backed counts (query/indexPlan.ts): own collections, eventually consistent reads only
  if (!record.attached && path.kind === 'query' && !spec.consistentRead) {
    const counted = await countByIndex(deps, ctx, record, filter, budgetOf(ctx));
    if (counted !== undefined) return counted;
  }
  // --- end of index-backed counts
  const reader = readerFor(deps.db, record, ctx.tenant, budgetOf(ctx));
  if (path.kind === 'query' && path.exact) return reader.count(path, spec.consistentRead);
  const scan = await collect(ctx, reader, p, {
    skip: 0,
    take: 0,
    position: undefined,
    wantTotal: true,
    consistent: spec.consistentRead,
  });
  return scan.total ?? 0;
}

/**
 * Calls `onItem` for every item of the collection that matches `filter` (aggregate, distinct),
 * through an index when one bounds the filter.
 */
export async function forEachMatch(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  filter: Node,
  consistent: boolean,
  onItem: (item: WixItem) => void,
): Promise<void> {
  const { path } = planFor(record, ctx.tenant, filter, [], { consistent });
  if (path.kind === 'none') return;
  // --- index-backed matches (service/indexMatches.ts): the index a count would choose, if any;
  // own collections, eventually consistent reads only (as countItems)
  if (!record.attached && path.kind === 'query' && !consistent) {
    if (await forEachIndexedMatch(deps, ctx, record, filter, budgetOf(ctx), onItem)) return;
  }
  // --- end of index-backed matches
  const tick: Tick = () => ctx.budget.tick();
  const reader = readerFor(deps.db, record, ctx.tenant, budgetOf(ctx));
  if (path.kind === 'get') {
    for (const item of (await reader.get(path.ids, consistent)).values())
      if (matches(filter, item, tick)) onItem(item);
    return;
  }
  for await (const page of reader.stream(path, { consistent, budget: budgetOf(ctx) })) {
    for (const item of page) if (matches(filter, item, tick)) onItem(item);
  }
}
