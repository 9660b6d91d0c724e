/**
 * The purge function (AWS): invoked asynchronously by truncate / delete collection with
 * `{purge: job}`, and on a schedule with `{sweep: true}` to finish purges that never completed.
 * A purge that runs out of time hands the rest of its partition to a fresh invocation.
 */
import { errorFields, log } from '../log';
import { loadDeps } from '../runtime';
import { pendingPurges, purgePartition, touchPurgeMarker, type PurgeJob } from '../store/purge';

export type PurgeEvent = { purge: PurgeJob } | { sweep: true };

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
  const jobs = 'purge' in event ? [event.purge] : await pendingPurges(deps.db, STALE_MS, deps.now());
  let purged = 0;
  for (const job of jobs) {
    // Only a table configured as a read-write attachment may ever be emptied.
    if (
      job.table !== undefined &&
      !deps.config.attachTables.some((e) => e.table === job.table && e.access === 'readwrite')
    ) {
      log('error', 'purge of a table that is not a read-write attached table refused', { ...job });
      continue;
    }
    try {
      const result = await purgePartition(deps.db, job, deadline);
      purged += result.deleted;
      if (!result.done) {
        await touchPurgeMarker(deps.db, job, deps.now());
        await deps.purger.schedule(job);
        log('info', 'purge continues in a new invocation', { ...job, deleted: result.deleted });
      }
    } catch (err) {
      log('error', 'purge failed', { ...job, ...errorFields(err) });
      if ('purge' in event) throw err; // let Lambda's async retry have another go
    }
    if (Date.now() > deadline) break;
  }
  return { purged };
}
