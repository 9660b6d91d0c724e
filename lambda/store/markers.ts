/**
 * Job markers (purges, index builds) live in one partition per kind; each records its job and when
 * it was last touched. The sweep reads those left untouched for too long: jobs that died.
 */
import type { Db } from './client';
import { fromAttrMap } from './codec';
import { partitionPages } from './partitionPages';

/** The jobs of the markers under `markersPk` older than `olderThanMs`. */
export async function staleMarkerJobs<J>(
  db: Db,
  markersPk: string,
  olderThanMs: number,
  now: Date,
): Promise<J[]> {
  const jobs: J[] = [];
  const cutoff = new Date(now.getTime() - olderThanMs).toISOString();
  const pages = partitionPages(db, markersPk, { consistent: true, budget: { maxPages: 100 } });
  for await (const page of pages) {
    for (const stored of page.Items ?? []) {
      const item = fromAttrMap(stored);
      if (typeof item.at === 'string' && item.at <= cutoff) jobs.push(item.job as J);
    }
  }
  return jobs;
}
