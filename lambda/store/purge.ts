/**
 * Purging the items of a truncated or deleted collection generation, after the fact.
 *
 * Truncate/delete are O(1): they switch the collection to a new generation (or drop it) and, in the
 * same transaction, record a purge marker. The purge then deletes the old partition in 25-item
 * BatchWriteItem calls with UnprocessedItems retried, and removes the marker when the partition is
 * empty. Markers live in one partition, so leftovers (a purge that died) are found with one Query.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { fromAttrMap, toAttrMap, type AttrMap } from './codec';
import type { Db } from './client';
import { backoffMs, chunk, mapLimit, sleep } from './concurrency';
import { encodePart, itemsPk } from './keys';
import { paginate } from './paginate';
import { referencesPk } from './references';
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
  return { ...purgeMarkerKey(job), job: { ...job }, at: now.toISOString() };
}

export interface PurgeResult {
  deleted: number;
  done: boolean;
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
 * Deletes every record of the job's partition. Stops early (done = false) when `deadline` passes, so
 * a Lambda can hand the rest to a fresh invocation. Removes the marker when the partition is empty.
 */
export async function purgePartition(
  db: Db,
  job: PurgeJob,
  deadline = Number.POSITIVE_INFINITY,
): Promise<PurgeResult> {
  if (job.table !== undefined) {
    const emptied = await emptyAttachedTable(db, job.table, deadline);
    if (!emptied.done) return emptied;
    await db.client.send(
      new DeleteItemCommand({ TableName: db.tableName, Key: toAttrMap(purgeMarkerKey(job)) }),
    );
    return emptied;
  }
  let deleted = 0;
  // The generation's items, then the references its items held.
  for (const pk of [
    itemsPk(job.tenant, job.collectionId, job.generation),
    referencesPk(job.tenant, job.collectionId, job.generation),
  ]) {
    // Each pass reads key pages and deletes them; deleted keys never come back, so a pass that ends
    // early loses nothing: the next one starts from the beginning of what is left.
    const pages = paginate((startKey) =>
      db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: toAttrMap({ ':pk': pk }),
          ProjectionExpression: '#pk, #sk',
          ExclusiveStartKey: startKey,
          Limit: 1000,
        }),
      ),
    );
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
  await db.client.send(
    new DeleteItemCommand({ TableName: db.tableName, Key: toAttrMap(purgeMarkerKey(job)) }),
  );
  return { deleted, done: true };
}

/** Marks a purge as still running (so the sweep does not start a second one while it continues). */
export async function touchPurgeMarker(db: Db, job: PurgeJob, now: Date): Promise<void> {
  await db.client.send(
    new PutItemCommand({ TableName: db.tableName, Item: toAttrMap(purgeMarkerItem(job, now)) }),
  );
}

/** Purge markers older than `olderThanMs` (purges that never finished). */
export async function pendingPurges(db: Db, olderThanMs: number, now: Date): Promise<PurgeJob[]> {
  const jobs: PurgeJob[] = [];
  const cutoff = new Date(now.getTime() - olderThanMs).toISOString();
  const pages = paginate(
    (startKey) =>
      db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ATTR.pk },
          ExpressionAttributeValues: toAttrMap({ ':pk': PURGE_MARKERS_PK }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    { maxPages: 100 },
  );
  for await (const page of pages) {
    for (const stored of page.Items ?? []) {
      const item = fromAttrMap(stored);
      if (typeof item.at === 'string' && item.at <= cutoff) jobs.push(item.job as PurgeJob);
    }
  }
  return jobs;
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
  ) {}

  schedule(job: PurgeJob): Promise<void> {
    const task = (async () => {
      try {
        await purgePartition(this.db, job);
      } catch (err) {
        this.onError(err, job); // the marker stays; the next sweep retries
      }
    })();
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
