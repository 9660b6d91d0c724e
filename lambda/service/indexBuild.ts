/**
 * The index build (backfill): BUILDING -> ACTIVE once every item has its slot keys.
 *
 * Writers maintain BUILDING indexes, but a write that read the collection record just before the
 * index was added carries no keys for it. Such a write is over once the request that made it is:
 * API functions stop at their timeout, so the build starts scanning only `indexBuildGraceMs` after
 * the index was created, and every item written after that scan started either has the keys from
 * its writer or gets them from the scan.
 */
import { ConflictError } from '../errors';
import { errorFields, logger } from '../log';
import type { CollectionRecord, IndexFailure, IndexRecord } from '../model/collection';
import { canonical } from '../query/values';
import type { Deps } from '../model/deps';
import * as collections from '../store/collections';
import {
  backfillIndex,
  deleteBuildMarker,
  putBuildMarker,
  type Duplicate,
  type IndexBuilder,
  type IndexBuildJob,
} from '../store/indexBuild';
import { sleep } from '../store/concurrency';
import { runIndexClear } from './indexClear';
import { outsideRequestScope } from '../store/requestScope';

export interface BuildOutcome {
  /** finished (ACTIVE, or nothing left to build); otherwise `next` continues it */
  readonly done: boolean;
  readonly indexed: number;
  readonly next?: IndexBuildJob;
}

const MAX_ATTEMPTS = 10;

function findIndex(record: CollectionRecord, token: string): IndexRecord | undefined {
  return (record.indexes ?? []).find((i) => i.token === token);
}

/** Ends the build: the index becomes `patch` (ACTIVE, or FAILED), if it is still there and still BUILDING. */
async function finish(
  deps: Deps,
  job: IndexBuildJob,
  patch: Pick<IndexRecord, 'status' | 'failure'>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await collections.getCollection(deps.db, job.tenant, job.collectionId);
    const index = current && findIndex(current.record, job.token);
    if (!current || !index || index.status !== 'BUILDING') return;
    const indexes = current.record.indexes!.map((i) =>
      i.token === job.token
        ? { ...i, status: patch.status, ...(patch.failure ? { failure: patch.failure } : {}) }
        : i,
    );
    try {
      await collections.replaceCollection(
        deps.db,
        job.tenant,
        { ...current.record, indexes },
        current.version,
      );
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/**
 * Wix's failure for a unique index over duplicates (`WDE0113`), naming the item the build could
 * not index. Writes stop maintaining a FAILED index; it keeps its slot until removed (as in Wix).
 */
function duplicateFailure(index: IndexRecord, dup: Duplicate): IndexFailure {
  const value = canonical(dup.value);
  return {
    code: 'WDE0113',
    description: `Duplicate key while building unique index ${index.name}: items ${dup.heldBy} and ${dup.itemId} both hold ${dup.field} = ${value.length > 200 ? `${value.slice(0, 200)}...` : value}`,
    itemId: dup.itemId,
  };
}

/**
 * Runs (or continues) one build until it is done or `deadline` passes. The generation is read at
 * each start: after a truncate the build covers the new generation, whose items all had writers
 * that knew the index.
 */
export async function runIndexBuild(deps: Deps, job: IndexBuildJob, deadline: number): Promise<BuildOutcome> {
  if (job.clear) return runIndexClear(deps, job, deadline);
  const found = await collections.getCollection(deps.db, job.tenant, job.collectionId);
  const index = found && findIndex(found.record, job.token);
  if (!found || !index || index.status !== 'BUILDING') {
    // removed, its collection deleted, or already finished: nothing to build
    await deleteBuildMarker(deps.db, job);
    return { done: true, indexed: 0 };
  }
  const startAt = Date.parse(index.createdAt) + deps.config.indexBuildGraceMs;
  const wait = startAt - deps.now().getTime();
  if (wait > 0) await sleep(wait);
  const scope = { tenant: job.tenant, collectionId: job.collectionId, generation: found.record.generation };
  // A removed index's build stops at the next page, so its clear (service/indexClear.ts) is not
  // followed by keys written for it.
  let checked = false;
  const stillWanted = async (): Promise<boolean> => {
    if (!checked) return (checked = true);
    const now = await collections.getCollection(deps.db, job.tenant, job.collectionId);
    return now !== undefined && findIndex(now.record, job.token)?.status === 'BUILDING';
  };
  const result = await backfillIndex(deps.db, scope, index, job.after, deadline, stillWanted);
  if (result.abandoned) {
    await deleteBuildMarker(deps.db, job);
    return { done: true, indexed: result.indexed };
  }
  if (result.duplicate) {
    await finish(deps, job, { status: 'FAILED', failure: duplicateFailure(index, result.duplicate) });
    await deleteBuildMarker(deps.db, job);
    return { done: true, indexed: result.indexed };
  }
  if (!result.done) {
    const next: IndexBuildJob = { ...job, after: result.after };
    await putBuildMarker(deps.db, next, deps.now());
    return { done: false, indexed: result.indexed, next };
  }
  await finish(deps, job, { status: 'ACTIVE' });
  await deleteBuildMarker(deps.db, job);
  return { done: true, indexed: result.indexed };
}

/** Local mode: builds run as background tasks of this process. `idle()` lets tests wait for them. */
export class LocalIndexBuilder implements IndexBuilder {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly deps: () => Deps) {}

  schedule(job: IndexBuildJob): Promise<void> {
    // Started by a request but not part of it: without its deadline (a build outlives the request).
    const task = outsideRequestScope(async () => {
      try {
        let outcome = await runIndexBuild(this.deps(), job, Number.POSITIVE_INFINITY);
        while (outcome.next)
          outcome = await runIndexBuild(this.deps(), outcome.next, Number.POSITIVE_INFINITY);
      } catch (err) {
        // the marker stays; the next sweep retries
        logger.error('index build failed; the sweep will retry it', { ...job, ...errorFields(err) });
      }
    });
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
    return Promise.resolve();
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

/** Starts a build; a failure to start is logged, not fatal: the marker stays and the sweep retries. */
export async function startIndexBuild(deps: Deps, requestId: string, job: IndexBuildJob): Promise<void> {
  try {
    await deps.indexBuilder.schedule(job);
  } catch (err) {
    logger.error('could not start index build; the sweep will retry it', { requestId, ...errorFields(err) });
  }
}
