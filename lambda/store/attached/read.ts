/**
 * Reads of attached tables: the only place their Get/BatchGet/Query/Scan requests are made (the
 * BatchGet loop itself is store/batchGet.ts, shared with our own items). Every page goes through
 * paginate() and so through the request's budget.
 */
import {
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  type QueryCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { QueryTooExpensiveError } from '../../errors';
import type { AttachedLayout } from '../../model/attachedLayout';
import type { TableQueryPath } from '../../query/tablePlan';
import type { Db } from '../client';
import { batchGetAll } from '../batchGet';
import { toAttrMap, type AttrMap } from '../codec';
import type { WixItem } from '../items';
import { BudgetExhaustedError, paginate, type Budget } from '../paginate';
import { fromAttachedItem } from './itemCodec';
import { keyOfId } from './keyId';

function translateBudget(err: unknown): never {
  if (err instanceof BudgetExhaustedError) {
    throw new QueryTooExpensiveError(
      `the query reads too much of the attached table for one request (${err.what} budget spent); filter on its keys or indexes`,
    );
  }
  throw err;
}

/** Items by `_id`: one GetItem, or BatchGetItem in chunks of 100 with unprocessed keys retried. */
export async function getAttachedItems(
  db: Db,
  layout: AttachedLayout,
  ids: readonly string[],
  consistent: boolean,
  budget: Budget,
): Promise<Map<string, WixItem>> {
  const keys = new Map<string, AttrMap>();
  for (const id of new Set(ids)) {
    const key = keyOfId(id, layout);
    if (key) keys.set(id, key);
  }
  const found = new Map<string, WixItem>();
  const keep = (raw: AttrMap) => {
    const item = fromAttachedItem(raw, layout);
    if (typeof item._id === 'string') found.set(item._id, item);
  };
  if (keys.size === 0) return found;
  budget.request?.check();
  if (keys.size === 1) {
    const out = await db.client.send(
      new GetItemCommand({ TableName: layout.table, Key: [...keys.values()][0], ConsistentRead: consistent }),
    );
    budget.request?.chargeRead(1);
    if (out.Item) keep(out.Item);
    return found;
  }
  await batchGetAll(db, [...keys.values()], {
    table: layout.table,
    consistent,
    keep,
    asked: (n) => budget.request?.chargeRead(n),
  });
  return found;
}

function common(path: TableQueryPath, consistent: boolean) {
  return {
    TableName: path.table,
    IndexName: path.indexName,
    FilterExpression: path.filterExpression,
    ExpressionAttributeNames: Object.keys(path.names).length > 0 ? path.names : undefined,
    ExpressionAttributeValues: Object.keys(path.values).length > 0 ? toAttrMap(path.values) : undefined,
    // GSIs cannot be read consistently (the planner only picks them for eventual reads).
    ConsistentRead: consistent,
  };
}

type Pages = AsyncGenerator<QueryCommandOutput | ScanCommandOutput>;

/** The page streams of a read: one for a Query, one per segment for a Scan. */
function pageStreams(
  db: Db,
  path: TableQueryPath,
  consistent: boolean,
  budget: Budget,
  count: boolean,
): Pages[] {
  const select = count ? ('COUNT' as const) : undefined;
  if (path.scanSegments === undefined) {
    return [
      paginate<QueryCommandOutput>(
        (startKey) =>
          db.client.send(
            new QueryCommand({
              ...common(path, consistent),
              KeyConditionExpression: path.keyCondition,
              ExclusiveStartKey: startKey,
              Select: select,
            }),
          ),
        budget,
      ),
    ];
  }
  const total = path.scanSegments;
  return Array.from({ length: total }, (_, segment) =>
    paginate<ScanCommandOutput>(
      (startKey) =>
        db.client.send(
          new ScanCommand({
            ...common(path, consistent),
            ...(total > 1 ? { Segment: segment, TotalSegments: total } : {}),
            ExclusiveStartKey: startKey,
            Select: select,
          }),
        ),
      budget,
    ),
  );
}

/** Runs the streams side by side (parallel Scan segments), yielding each page as it arrives. */
async function* merged(streams: Pages[]): AsyncGenerator<QueryCommandOutput | ScanCommandOutput> {
  const pending = new Map(streams.map((s, i) => [i, s.next().then((r) => ({ i, r }))]));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pending.set(
        i,
        streams[i]!.next().then((next) => ({ i, r: next })),
      );
      yield r.value;
    }
  } finally {
    // A consumer that stops early (or a failed segment) stops every other segment too.
    await Promise.allSettled(streams.map((s) => s.return(undefined)));
  }
}

/** Yields the Wix items of each page read (in no particular order across Scan segments). */
export async function* streamAttached(
  db: Db,
  layout: AttachedLayout,
  path: TableQueryPath,
  options: { readonly consistent: boolean; readonly budget: Budget },
): AsyncGenerator<WixItem[]> {
  try {
    for await (const page of merged(pageStreams(db, path, options.consistent, options.budget, false)))
      yield (page.Items ?? []).map((raw) => fromAttachedItem(raw, layout));
  } catch (err) {
    translateBudget(err);
  }
}

/** Counts with Select COUNT (only for exact plans: nothing left to check in memory). */
export async function countAttached(
  db: Db,
  path: TableQueryPath,
  consistent: boolean,
  budget: Budget,
): Promise<number> {
  let count = 0;
  try {
    for await (const page of merged(pageStreams(db, path, consistent, budget, true)))
      count += page.Count ?? 0;
  } catch (err) {
    translateBudget(err);
  }
  return count;
}
