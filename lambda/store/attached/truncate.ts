/**
 * Emptying a read-write attached table in the background (its truncate). Unlike our own collections
 * there is no generation to switch: every item has to be deleted, a Scan of the key attributes and
 * 25-key BatchWriteItem deletes, so it takes time proportional to the table. The table itself is
 * never deleted or re-created.
 */
import { BatchWriteItemCommand, ScanCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Db } from '../client';
import type { AttrMap } from '../codec';
import { backoffMs, chunk, mapLimit, sleep } from '../concurrency';
import { paginate } from '../paginate';
import { describeTable } from './describe';

const MAX_UNPROCESSED_ROUNDS = 12;

async function batchDelete(db: Db, table: string, keys: AttrMap[]): Promise<void> {
  let pending: WriteRequest[] = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) {
      if (round > MAX_UNPROCESSED_ROUNDS) throw new Error('BatchWriteItem kept returning unprocessed items');
      await sleep(backoffMs(round));
    }
    const out = await db.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = out.UnprocessedItems?.[table] ?? [];
  }
}

/** Deletes every item of `table`; stops early (done = false) once `deadline` passes. */
export async function emptyAttachedTable(
  db: Db,
  table: string,
  deadline = Number.POSITIVE_INFINITY,
): Promise<{ deleted: number; done: boolean }> {
  const shape = await describeTable(db, table, table);
  const keyNames = [shape.partitionKey.name, shape.sortKey?.name].filter((n): n is string => !!n);
  const names = Object.fromEntries(keyNames.map((n, i) => [`#k${i}`, n]));
  let deleted = 0;
  const pages = paginate((startKey) =>
    db.client.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ExclusiveStartKey: startKey,
        Limit: 1000,
      }),
    ),
  );
  for await (const page of pages) {
    const keys = (page.Items ?? []).map((item) => Object.fromEntries(keyNames.map((n) => [n, item[n]!])));
    await mapLimit(chunk(keys, 25), 4, (batch) => batchDelete(db, table, batch));
    deleted += keys.length;
    if (Date.now() > deadline) return { deleted, done: false };
  }
  return { deleted, done: true };
}
