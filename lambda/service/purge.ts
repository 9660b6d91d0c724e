/** Starting and running purges of retired generations (see store/purge.ts). */
import { errorFields, logger } from '../log';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import type { PurgeJob } from '../store/purge';

/** Starts a purge; a failure to start is logged, not fatal: the marker stays and the sweep retries. */
export async function startPurge(deps: Deps, ctx: RequestContext, job: PurgeJob): Promise<void> {
  try {
    await deps.purger.schedule(job);
  } catch (err) {
    logger.error('could not start purge; the sweep will retry it', {
      requestId: ctx.requestId,
      ...errorFields(err),
    });
  }
}
