/** Test doubles for index builds. */
import { buildDeps, type Deps } from '../../lambda/runtime';
import type { IndexBuilder, IndexBuildJob } from '../../lambda/store/indexBuild';
import { testDeps } from './adaptor';
import type { WixSort } from './queryRef';

/** A builder that only records what it was asked to start, as the Lambda invoke would. */
export class RecordingIndexBuilder implements IndexBuilder {
  readonly jobs: IndexBuildJob[] = [];
  async schedule(job: IndexBuildJob): Promise<void> {
    this.jobs.push(job);
  }
}

/** Deps whose index builds never run: for tests of what writes alone do. */
export function depsWithoutBuilds(env: Record<string, string | undefined> = {}): Deps & {
  indexBuilder: RecordingIndexBuilder;
} {
  const base = testDeps(env);
  const indexBuilder = new RecordingIndexBuilder();
  return {
    ...buildDeps(base.config, { db: base.db, verifyToken: base.verifyToken, indexBuilder }),
    indexBuilder,
  };
}

/** Each index's order and its reverse, as Wix sorts them. */
export function indexSorts(
  indexes: readonly {
    readonly fields: readonly { readonly path: string; readonly order?: 'ASC' | 'DESC' }[];
  }[],
): WixSort[][] {
  return indexes.flatMap((index) => {
    const forward: WixSort[] = index.fields.map((f) => ({ fieldName: f.path, order: f.order ?? 'ASC' }));
    const reversed: WixSort[] = forward.map((s) => ({ ...s, order: s.order === 'ASC' ? 'DESC' : 'ASC' }));
    return [forward, reversed];
  });
}
