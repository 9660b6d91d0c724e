/**
 * The purge function (AWS): invoked asynchronously by truncate / delete collection with
 * `{purge: job}`, and on a schedule with `{sweep: true}` to finish purges that never completed.
 * A purge that runs out of time hands the rest of its partition to a fresh invocation. A purge that
 * finished before the grace after the truncate passed sweeps once more after it (store/purge.ts).
 */
import { errorFields, logger } from '../log';
import { loadDeps, type Deps } from '../runtime';
import { sleep } from '../store/concurrency';
import { pendingPurges, purgePartition, touchPurgeMarker, type PurgeJob } from '../store/purge';
import { runIndexBuild } from '../service/indexBuild';
import { pendingBuilds, type IndexBuildJob } from '../store/indexBuild';

/** `build` runs an index backfill (service/indexBuild.ts): the same kind of job, on the same function. */
export type PurgeEvent = { purge: PurgeJob } | { sweep: true } | { build: IndexBuildJob };

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Leave this much time for handing over and returning. */
const SAFETY_MS = 30_000;
/** A marker older than this belongs to a purge that died. */
const STALE_MS = 15 * 60 * 1000;

export async function handler(event: PurgeEvent, context?: LambdaContext): Promise<{ purged: number }> {
  const deps = await loadDeps();
  const deadline = Date.now() + Math.max(5_000, (context?.getRemainingTimeInMillis() ?? 900_000) - SAFETY_MS);
  if ('build' in event) {
    await buildIndex(deps, event.build, deadline, true);
    return { purged: 0 };
  }
  const jobs = 'purge' in event ? [event.purge] : await pendingPurges(deps.db, STALE_MS, deps.now());
  let purged = 0;
  for (const job of jobs) {
    // Only a table configured as a read-write attachment may ever be emptied.
    if (
      job.table !== undefined &&
      !deps.config.attachTables.some((e) => e.table === job.table && e.access === 'readwrite')
    ) {
      logger.error('purge of a table that is not a read-write attached table refused', { ...job });
      continue;
    }
    try {
      let result = await purgePartition(deps.db, job, deadline, deps.config.purgeGraceMs);
      purged += result.deleted;
      // Swept early: writes that read the old generation may still land. Sweep once more when they
      // cannot, in this invocation if it lives that long, else in a fresh one.
      while (!result.done && result.settleAt !== undefined && result.settleAt < deadline) {
        await sleep(Math.max(0, result.settleAt - Date.now()));
        result = await purgePartition(deps.db, job, deadline, deps.config.purgeGraceMs);
        purged += result.deleted;
      }
      if (!result.done) {
        await touchPurgeMarker(deps.db, job, deps.now());
        await deps.purger.schedule(job);
        logger.info('purge continues in a new invocation', { ...job, deleted: result.deleted });
      }
    } catch (err) {
      logger.error('purge failed', { ...job, ...errorFields(err) });
      if ('purge' in event) throw err; // let Lambda's async retry have another go
    }
    if (Date.now() > deadline) break;
  }
  if ('sweep' in event) {
    for (const job of await pendingBuilds(deps.db, STALE_MS, deps.now())) {
      if (Date.now() > deadline) break;
      await buildIndex(deps, job, deadline, false);
    }
  }
  return { purged };
}

/** Runs one build until its time is up, then hands the rest to a fresh invocation. */
async function buildIndex(deps: Deps, job: IndexBuildJob, deadline: number, rethrow: boolean): Promise<void> {
  try {
    const outcome = await runIndexBuild(deps, job, deadline);
    if (outcome.next) {
      await deps.indexBuilder.schedule(outcome.next);
      logger.info('index build continues in a new invocation', { ...job, indexed: outcome.indexed });
    }
  } catch (err) {
    logger.error('index build failed', { ...job, ...errorFields(err) });
    if (rethrow) throw err; // let Lambda's async retry have another go
  }
}
