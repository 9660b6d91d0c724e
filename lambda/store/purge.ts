/**
 * Purging the items of a truncated or deleted collection generation, after the fact.
 *
 * Truncate/delete are O(1): they switch the collection to a new generation (or drop it) and, in the
 * same transaction, record a purge marker with the moment of retirement. The purge then deletes the
 * old partitions in 25-item BatchWriteItem calls with UnprocessedItems retried.
 *
 * A request that read the collection record just before the switch may still write into the retired
 * generation afterwards (an insert racing a truncate). So the marker is removed only by a sweep that
 * *started* at least `graceMs` after the retirement: by then every request that could have read the
 * old generation has ended (API functions are stopped at 29 s; the default grace is 120 s), so
 * nothing can land after that last sweep. Until then the marker stays, and a purge that finished
 * early sweeps once more when the grace has passed. Markers live in one partition, so leftovers (a
 * purge that died) are found with one Query.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { fromAttrMap, toAttrMap, type AttrMap } from './codec';
import type { Db } from './client';
import { staleMarkerJobs } from './markers';
import { backoffMs, chunk, mapLimit, sleep } from './concurrency';
import { encodePart, itemsPk } from './keys';
import { partitionPages } from './partitionPages';
import { outsideRequestScope } from './requestScope';
import { referencesPk } from './references';
import { uniquenessPk } from './uniqueness';
import { emptyAttachedTable } from './attached/truncate';
import { ATTR } from './schema';

export interface PurgeJob {
  readonly tenant: string;
  readonly collectionId: string;
  readonly generation: string;
  /** An attached read-write table to empty (its truncate), instead of one of our partitions. */
  readonly table?: string;
}

export const PURGE_MARKERS_PK = 'PURGE';

export function purgeMarkerKey(job: PurgeJob): Record<string, string> {
  return {
    [ATTR.pk]: PURGE_MARKERS_PK,
    [ATTR.sk]: `${encodePart(job.tenant)}#${encodePart(job.collectionId)}#${job.generation}`,
  };
}

/** The marker item to put in the same transaction that retires a generation. */
export function purgeMarkerItem(job: PurgeJob, now: Date): Record<string, unknown> {
  // `at`: last sign of life of the purge (the sweep's staleness test); `retiredAt`: never changes
  return { ...purgeMarkerKey(job), job: { ...job }, at: now.toISOString(), retiredAt: now.toISOString() };
}

export interface PurgeResult {
  deleted: number;
  done: boolean;
  /** Not done only because the grace has not passed: sweep again at this time (epoch ms). */
  settleAt?: number;
}

/** When the job's generation was retired (epoch ms); undefined when its marker is gone. */
async function retiredAt(db: Db, job: PurgeJob): Promise<number | undefined> {
  const out = await db.client.send(
    new GetItemCommand({
      TableName: db.tableName,
      Key: toAttrMap(purgeMarkerKey(job)),
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const marker = fromAttrMap(out.Item);
  const at = Date.parse(String(marker.retiredAt ?? marker.at));
  // a marker without a readable time: treat it as retired now (the safe side)
  return Number.isFinite(at) ? at : Date.now();
}

const MAX_UNPROCESSED_ROUNDS = 12;

async function batchDelete(db: Db, keys: AttrMap[]): Promise<void> {
  let pending: WriteRequest[] = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) {
      if (round > MAX_UNPROCESSED_ROUNDS) throw new Error('BatchWriteItem kept returning unprocessed items');
      await sleep(backoffMs(round));
    }
    const out = await db.client.send(
      new BatchWriteItemCommand({ RequestItems: { [db.tableName]: pending } }),
    );
    pending = out.UnprocessedItems?.[db.tableName] ?? [];
  }
}

/**
 * Deletes every record of the job's partitions. Stops early (done = false) when `deadline` passes, so
 * a Lambda can hand the rest to a fresh invocation. Removes the marker only when this sweep started
 * `graceMs` or more after the retirement (else done = false with `settleAt`: sweep again then).
 */
export async function purgePartition(
  db: Db,
  job: PurgeJob,
  deadline = Number.POSITIVE_INFINITY,
  graceMs = 0,
): Promise<PurgeResult> {
  // An attached table has no generations: a late write after its truncate is simply a new item.
  if (job.table !== undefined) {
    const emptied = await emptyAttachedTable(db, job.table, deadline);
    if (!emptied.done) return emptied;
    await db.client.send(
      new DeleteItemCommand({ TableName: db.tableName, Key: toAttrMap(purgeMarkerKey(job)) }),
    );
    return emptied;
  }
  const sweepStarted = Date.now();
  const retired = graceMs > 0 ? await retiredAt(db, job) : undefined;
  let deleted = 0;
  // The generation's items, then the references and the unique-value claims its items held.
  for (const pk of [
    itemsPk(job.tenant, job.collectionId, job.generation),
    referencesPk(job.tenant, job.collectionId, job.generation),
    uniquenessPk(job.tenant, job.collectionId, job.generation),
  ]) {
    // Each pass reads key pages and deletes them; deleted keys never come back, so a pass that ends
    // early loses nothing: the next one starts from the beginning of what is left.
    const pages = partitionPages(db, pk, { limit: 1000, project: { '#sk': ATTR.sk } });
    for await (const page of pages) {
      const keys = (page.Items ?? []).map((r): AttrMap => ({
        [ATTR.pk]: r[ATTR.pk]!,
        [ATTR.sk]: r[ATTR.sk]!,
      }));
      await mapLimit(chunk(keys, 25), 4, (batch) => batchDelete(db, batch));
      deleted += keys.length;
      if (Date.now() > deadline) return { deleted, done: false };
    }
  }
  if (retired !== undefined && sweepStarted < retired + graceMs) {
    return { deleted, done: false, settleAt: retired + graceMs };
  }
  await db.client.send(
    new DeleteItemCommand({ TableName: db.tableName, Key: toAttrMap(purgeMarkerKey(job)) }),
  );
  return { deleted, done: true };
}

/**
 * Marks a purge as still running (so the sweep does not start a second one while it continues).
 * The retirement time is kept: the grace counts from the truncate, not from the last hand-over.
 */
export async function touchPurgeMarker(db: Db, job: PurgeJob, now: Date): Promise<void> {
  await db.client.send(
    new UpdateItemCommand({
      TableName: db.tableName,
      Key: toAttrMap(purgeMarkerKey(job)),
      UpdateExpression: 'SET #at = :at, #job = if_not_exists(#job, :job), #r = if_not_exists(#r, :at)',
      ExpressionAttributeNames: { '#at': 'at', '#job': 'job', '#r': 'retiredAt' },
      ExpressionAttributeValues: toAttrMap({ ':at': now.toISOString(), ':job': { ...job } }),
    }),
  );
}

/** Purge markers older than `olderThanMs` (purges that never finished). */
export function pendingPurges(db: Db, olderThanMs: number, now: Date): Promise<PurgeJob[]> {
  return staleMarkerJobs<PurgeJob>(db, PURGE_MARKERS_PK, olderThanMs, now);
}

/** Starts purges without waiting for them. */
export interface Purger {
  schedule(job: PurgeJob): Promise<void>;
}

/** Local mode: a background task in this process. `idle()` lets tests wait for it. */
export class LocalPurger implements Purger {
  private readonly running = new Set<Promise<void>>();
  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown, job: PurgeJob) => void = () => undefined,
    private readonly graceMs = 0,
  ) {}

  schedule(job: PurgeJob): Promise<void> {
    // Started by a request but not part of it: without its deadline (a purge outlives the request).
    const task = outsideRequestScope(async () => {
      try {
        for (;;) {
          const result = await purgePartition(this.db, job, Number.POSITIVE_INFINITY, this.graceMs);
          if (result.done || result.settleAt === undefined) break;
          // writes that read the old generation may still land: sweep again once they cannot
          await sleep(Math.max(0, result.settleAt - Date.now()));
        }
      } catch (err) {
        this.onError(err, job); // the marker stays; the next sweep retries
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

/** AWS: an asynchronous invocation of the purge function (Lambda retries it on failure). */
export class LambdaPurger implements Purger {
  private readonly client: LambdaClient;
  constructor(
    private readonly functionName: string,
    region: string,
  ) {
    this.client = new LambdaClient({ region });
  }

  async schedule(job: PurgeJob): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ purge: job })),
      }),
    );
  }
}
