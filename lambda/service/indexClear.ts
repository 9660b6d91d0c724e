/**
 * Clearing a removed index in the background (store/indexClear.ts): the build job's pattern and
 * machinery (marker, hand-over, sweep, the purge function's `{build}` event), with `job.clear` set.
 *
 * Removal frees the slot at once: a later index on it has its own token, so the old attributes
 * cannot be mistaken for its own, and the clear removes only values of the old token. A writer
 * that read the collection record just before the removal may still write the old index's keys;
 * it is over `indexBuildGraceMs` later, so the clear starts only then and nothing lands after it.
 * Each start reads the current generation: older ones are purged with their items.
 */
import type { Deps } from '../model/deps';
import * as collections from '../store/collections';
import { sleep } from '../store/concurrency';
import { clearIndex } from '../store/indexClear';
import { deleteBuildMarker, putBuildMarker, type IndexBuildJob } from '../store/indexBuild';
import type { BuildOutcome } from './indexBuild';

export async function runIndexClear(deps: Deps, job: IndexBuildJob, deadline: number): Promise<BuildOutcome> {
  const clear = job.clear!;
  const found = await collections.getCollection(deps.db, job.tenant, job.collectionId);
  // Collection deleted: its purge removes every item and record. Index still there: its removal
  // was refused or never happened, and its attributes are in use.
  if (!found || (found.record.indexes ?? []).some((i) => i.token === job.token)) {
    await deleteBuildMarker(deps.db, job);
    return { done: true, indexed: 0 };
  }
  const wait = Date.parse(clear.removedAt) + deps.config.indexBuildGraceMs - deps.now().getTime();
  if (wait > 0) await sleep(wait);
  const scope = { tenant: job.tenant, collectionId: job.collectionId, generation: found.record.generation };
  // a hand-over's position holds for the generation it was made in only
  const sameGeneration = clear.generation === undefined || clear.generation === scope.generation;
  const after = sameGeneration ? job.after : undefined;
  const itemsDone = sameGeneration && (clear.itemsDone ?? false);
  const result = await clearIndex(
    deps.db,
    scope,
    { slot: clear.slot, token: job.token },
    after,
    itemsDone,
    deadline,
  );
  if (!result.done) {
    const { after: _old, ...rest } = job;
    const resume = result.after ?? after;
    const next: IndexBuildJob = {
      ...rest,
      ...(resume !== undefined ? { after: resume } : {}),
      clear: {
        slot: clear.slot,
        removedAt: clear.removedAt,
        generation: scope.generation,
        ...(result.itemsDone || itemsDone ? { itemsDone: true } : {}),
      },
    };
    await putBuildMarker(deps.db, next, deps.now());
    return { done: false, indexed: result.cleared, next };
  }
  await deleteBuildMarker(deps.db, job);
  return { done: true, indexed: result.cleared };
}
