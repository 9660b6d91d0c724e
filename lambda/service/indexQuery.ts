/**
 * Running index-backed reads (query/indexPlan.ts). A page the index's key order serves is read in
 * key order until it is full and the run of ties at its end is complete, then that run is ordered
 * by the full sort (its `_id` tie-break; truncated keys also tie), so the page is exactly the one
 * the in-memory sort gives. Ties are equal indexed values, or, on keys ending with `_id` read in the
 * `_id` direction the sort wants, equal whole keys (only cut ones): then a page stops when full. Any other page reads every item the key condition selects and
 * sorts the matches in memory, which still reads only that part of the collection. Counts use
 * Select COUNT when the FilterExpression is the whole filter, and count in memory otherwise.
 */
import type { CollectionRecord } from '../model/collection';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import type { Node, SortKey } from '../query/ast';
import { matches } from '../query/evaluate';
import {
  boundsId,
  chooseIndex,
  indexCandidates,
  indexPaths,
  readsIdOrder,
  type IndexCandidate,
  type IndexPath,
} from '../query/indexPlan';
import { resumeRead, type ResumeFrom } from '../query/indexResume';
import { sortRows, TopK, type Row, type Tick } from '../query/sort';
import { indexFieldsSk, indexPk, MAX_SK_BYTES } from '../store/indexKeys';
import { countIndex, streamIndex } from '../store/indexQuery';
import type { Budget } from '../store/paginate';

export interface IndexedPage {
  readonly rows: Row[];
  /** every match, when a total was asked for */
  readonly total: number | undefined;
  readonly indexName: string;
}

/** The chosen candidate's GSI Queries, in the order to read them. */
function pathsOf(
  ctx: RequestContext,
  record: CollectionRecord,
  chosen: IndexCandidate,
  filter: Node,
  intervals = chosen.condition.intervals,
): IndexPath[] {
  const scope = { tenant: ctx.tenant, collectionId: record.id, generation: record.generation };
  const pk = indexPk(scope, chosen.index);
  return indexPaths(chosen.index, chosen.order?.descending ?? false, pk, intervals, filter);
}

/**
 * Whether a cursor follow-up can resume inside `c` (query/indexResume.ts): its key order gives the
 * sort (its `_id` tie-break too, or runs of ties the reader completes and re-sorts; one interval
 * after another or a `$in` merge). A key condition no item satisfies qualifies too (nothing is read).
 */
function resumable(c: IndexCandidate): boolean {
  return c.condition.intervals?.length === 0 || !!c.order;
}

/** A cursor follow-up: the position the page continues after, and the test for "after it". */
export interface Resume {
  readonly position: readonly unknown[];
  readonly after: (row: Row) => boolean;
}

/**
 * What makes two items of a path read in key order one run (ties the reader completes and sorts):
 * their whole key when it ends with `_id` read in the sort's `_id` direction (equal keys are then
 * only cut ones), else their indexed values alone (their `_id`s come in no order, or reversed).
 */
function runKeyOf(chosen: IndexCandidate, sort: readonly SortKey[]): (item: Row, sk: string) => string {
  const descending = chosen.order?.descending ?? false;
  if (readsIdOrder(chosen.index, sort, descending)) return (_item, sk) => sk;
  return (item) => indexFieldsSk(chosen.index, item);
}

/** Matches of `paths` counted: Select COUNT when each FilterExpression is exact, else read and counted. */
async function countPaths(deps: Deps, paths: readonly IndexPath[], filter: Node, budget: Budget, tick: Tick) {
  let total = 0;
  for (const path of paths) {
    if (path.exact) {
      total += await countIndex(deps.db, path, budget);
      continue;
    }
    for await (const page of streamIndex(deps.db, path, undefined, budget))
      for (const { item } of page) if (matches(filter, item, tick)) total += 1;
  }
  return total;
}

/**
 * The page `skip`..`skip + take` (and the total when wanted) read through the cheapest index, or
 * undefined when the base table is the better path (query/indexPlan.ts chooseIndex).
 */
export async function collectByIndex(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  filter: Node,
  sort: readonly SortKey[],
  opts: {
    skip: number;
    take: number;
    wantTotal: boolean;
    maxSortedOffset: number;
    budget: Budget;
    /** a cursor follow-up: only an index whose key order gives the sort serves it */
    resume?: Resume;
  },
): Promise<IndexedPage | undefined> {
  if (boundsId(filter)) return undefined;
  const { resume } = opts;
  let candidates = indexCandidates(record.indexes ?? [], filter, sort);
  if (resume) candidates = candidates.filter(resumable);
  const chosen = chooseIndex(candidates, {
    wantTotal: opts.wantTotal,
    maxSortedOffset: opts.maxSortedOffset,
    skip: opts.skip,
  });
  if (!chosen) return undefined;
  const indexName = chosen.index.name;
  if (chosen.condition.intervals?.length === 0) return { rows: [], total: 0, indexName };
  const tick: Tick = () => ctx.budget.tick();
  let intervals = chosen.condition.intervals;
  const descending = chosen.order?.descending ?? false;
  // `run`: the follow-up reads the position's run of ties again, the position's row at least
  let from: ResumeFrom | undefined;
  if (resume) {
    from = chosen.idOrder ? 'key' : 'run';
    const merge = chosen.order?.merge ?? false;
    const resumed = resumeRead(chosen.index, sort, resume.position, filter, intervals, {
      descending,
      merge,
      from,
    });
    if (resumed === undefined) return undefined;
    intervals = resumed;
    if (intervals.length === 0) return { rows: [], total: undefined, indexName };
  }
  const paths = pathsOf(ctx, record, chosen, filter, intervals);
  const wanted = opts.skip + opts.take;
  const reread = from === 'run' ? 1 : 0;
  // the position test goes after the key bound on every follow-up: an inclusive bound (a run, a cut
  // key) reads rows up to the position again
  const after = resume?.after ?? (() => true);

  if (chosen.order?.merge) {
    const merged = await mergeByIndex(
      deps,
      paths,
      filter,
      sort,
      { wanted, reread, after },
      runKeyOf(chosen, sort),
      opts.budget,
      tick,
    );
    if (merged) {
      const total =
        opts.wantTotal && !resume ? await countPaths(deps, paths, filter, opts.budget, tick) : undefined;
      return { rows: merged.slice(opts.skip, wanted), total, indexName };
    }
    // a key that may be cut: the suffixes no longer order the intervals; read them all instead
  }
  if (!chosen.order || chosen.order.merge) {
    // Not in the requested order: every selected match once, the best skip + take kept in memory.
    const top = new TopK(wanted, sort, tick);
    let total = 0;
    for (const path of paths) {
      for await (const page of streamIndex(deps.db, path, undefined, opts.budget)) {
        for (const { item } of page) {
          if (!matches(filter, item, tick)) continue;
          total += 1;
          if (after(item)) top.add(item);
        }
      }
    }
    // a follow-up's paths start at its position: what they hold is no total
    return { rows: top.sorted().slice(opts.skip, wanted), total: resume ? undefined : total, indexName };
  }

  // A follow-up bounded by its run reads that run from its start: rows up to the position are dropped
  // below, the rest of the run is kept and the page's last run completed, then all are re-sorted.
  const rows: Row[] = [];
  const runKey = runKeyOf(chosen, sort);
  let lastRun: string | undefined;
  let complete = false;
  for (const path of paths) {
    const pathWanted = Math.max(1, wanted - rows.length) + reread;
    for await (const page of streamIndex(deps.db, path, pathWanted, opts.budget)) {
      for (const { item, sk } of page) {
        // an inclusive bound (a run, a cut position key) reads rows up to the position too
        if (!matches(filter, item, tick) || !after(item)) continue;
        // Past the page: stop at the first key after the run the page ends in.
        const run = runKey(item, sk);
        if (rows.length >= wanted && run !== lastRun) {
          complete = true;
          break;
        }
        rows.push(item);
        lastRun = run;
      }
      if (complete) break;
    }
    if (complete) break;
  }
  const page = sortRows(rows, sort, tick).slice(opts.skip, wanted);
  const total =
    opts.wantTotal && !resume ? await countPaths(deps, paths, filter, opts.budget, tick) : undefined;
  return { rows: page, total, indexName };
}

/**
 * A path's matches one by one, in key order, with the key after the path's prefix, and the run key
 * after it too (`cut`: the run key, the whole key or its fields part, may have been cut at the key
 * size limit; then its suffix may order wrongly against another interval's).
 */
async function* suffixed(
  deps: Deps,
  path: IndexPath,
  wanted: number,
  runKey: (item: Row, sk: string) => string,
  budget: Budget,
) {
  const from = path.prefix?.length ?? 0;
  for await (const page of streamIndex(deps.db, path, wanted, budget))
    for (const { item, sk } of page) {
      const run = runKey(item, sk);
      yield { item, sk, suffix: sk.slice(from), run: run.slice(from), cut: run.length >= MAX_SK_BYTES * 2 };
    }
}

/**
 * The first `wanted` matches after the position (`after`; all on a first page), and the rest of the
 * run of equal keys they end in, of several `$in` intervals, each in the order of the fields after
 * the `$in` one: merged by their key suffixes, which every interval encodes the same way. `reread`:
 * rows each interval reads again before its position (a follow-up resumed at its run's start).
 * Undefined when a key may have been cut (its suffix may then order wrongly against another
 * interval's).
 */
async function mergeByIndex(
  deps: Deps,
  paths: readonly IndexPath[],
  filter: Node,
  sort: readonly SortKey[],
  page: { wanted: number; reread: number; after: (row: Row) => boolean },
  runKey: (item: Row, sk: string) => string,
  budget: Budget,
  tick: Tick,
): Promise<Row[] | undefined> {
  const { wanted, after } = page;
  const streams = paths.map((p) => suffixed(deps, p, wanted + page.reread, runKey, budget));
  try {
    const heads = await Promise.all(streams.map((s) => s.next()));
    const descending = paths[0]?.descending ?? false;
    const rows: Row[] = [];
    let lastRun: string | undefined;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i]!;
        if (h.done) continue;
        const b = best < 0 ? undefined : heads[best]!;
        if (!b || b.done) {
          best = i;
          continue;
        }
        const before = descending ? h.value.suffix > b.value.suffix : h.value.suffix < b.value.suffix;
        if (before) best = i;
      }
      if (best < 0) break;
      const head = heads[best]!;
      if (head.done) break;
      const { item, run, cut } = head.value;
      if (cut) return undefined;
      heads[best] = await streams[best]!.next();
      if (!matches(filter, item, tick) || !after(item)) continue;
      if (rows.length >= wanted && run !== lastRun) break;
      rows.push(item);
      lastRun = run;
    }
    return sortRows(rows, sort, tick);
  } finally {
    await Promise.all(streams.map((s) => s.return(undefined)));
  }
}

/**
 * The GSI Queries that read every match of `filter` (a count, an aggregate, a distinct): through the
 * index a count would choose, the one bounding the most leading fields. Empty when no item can
 * satisfy its key condition; undefined when `_id` bounds the filter (the base table's key read is
 * never worse) or no ACTIVE index bounds it.
 */
export function allMatchesPaths(
  ctx: RequestContext,
  record: CollectionRecord,
  filter: Node,
): IndexPath[] | undefined {
  if (boundsId(filter)) return undefined;
  const chosen = chooseIndex(indexCandidates(record.indexes ?? [], filter, []), { wantTotal: true });
  if (!chosen) return undefined;
  if (chosen.condition.intervals?.length === 0) return [];
  return pathsOf(ctx, record, chosen, filter);
}

/** The number of matches counted through the cheapest index, or undefined when none bounds the filter. */
export async function countByIndex(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  filter: Node,
  budget: Budget,
): Promise<number | undefined> {
  const paths = allMatchesPaths(ctx, record, filter);
  if (!paths) return undefined;
  return countPaths(deps, paths, filter, budget, () => ctx.budget.tick());
}
