/**
 * Reading many items by key with BatchGetItem, for our collections and attached tables alike:
 * chunks of 100 keys (DynamoDB's most), four in flight, unprocessed keys asked again with backoff.
 */
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Db } from './client';
import type { AttrMap } from './codec';
import { backoffMs, chunk, mapLimit, sleep } from './concurrency';

const BATCH_GET_MAX = 100;
const MAX_UNPROCESSED_ROUNDS = 10;

export interface BatchGetOptions {
  readonly table: string;
  readonly consistent: boolean;
  /** Gets every item read, as stored. */
  readonly keep: (stored: AttrMap) => void;
  /** Told how many keys each request asked for, once it answered (to charge a read budget). */
  readonly asked?: (keys: number) => void;
}

/** Reads every key that exists; throws when DynamoDB keeps returning keys unprocessed. */
export async function batchGetAll(db: Db, keys: readonly AttrMap[], options: BatchGetOptions): Promise<void> {
  const { table, consistent, keep, asked } = options;
  await mapLimit(chunk(keys, BATCH_GET_MAX), 4, async (batch) => {
    let pending: AttrMap[] = batch;
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) {
        if (round > MAX_UNPROCESSED_ROUNDS) throw new Error('BatchGetItem kept returning unprocessed keys');
        await sleep(backoffMs(round));
      }
      const out = await db.client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }),
      );
      asked?.(pending.length);
      for (const stored of out.Responses?.[table] ?? []) keep(stored);
      pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  });
}
