/** Reading an index's GSI slot in key order: the only place index Queries are sent. */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { QueryTooExpensiveError } from '../errors';
import type { IndexPath } from '../query/indexPlan';
import type { Db } from './client';
import { toAttrMap } from './codec';
import { fromStored, type WixItem } from './items';
import { BudgetExhaustedError, paginate, type Budget } from './paginate';
import { gsiName, gsiSk } from './schema';

export interface IndexedItem {
  readonly item: WixItem;
  /** the item's index sort key: equal keys are ties the caller orders itself */
  readonly sk: string;
}

const MAX_PAGE_LIMIT = 1000;

/**
 * Yields pages in the index's key order. The projection is ALL, so items come whole (no follow-up
 * BatchGetItem). `wanted` sizes the first page; later pages grow while a filter keeps rejecting.
 * Without `wanted` (every match is read) pages are as large as DynamoDB gives.
 */
export async function* streamIndex(
  db: Db,
  path: IndexPath,
  wanted: number | undefined,
  budget: Budget,
): AsyncGenerator<IndexedItem[]> {
  let page = 0;
  const skAttr = gsiSk(path.index.slot);
  const pages = paginate<QueryCommandOutput>((startKey) => {
    const base =
      wanted === undefined
        ? MAX_PAGE_LIMIT
        : path.filterExpression === undefined
          ? wanted + 1
          : Math.max(25, wanted * 2);
    const limit = Math.min(MAX_PAGE_LIMIT, base * 4 ** page);
    page += 1;
    return db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: gsiName(path.index.slot),
        KeyConditionExpression: path.keyCondition,
        FilterExpression: path.filterExpression,
        ExpressionAttributeNames: path.names,
        ExpressionAttributeValues: toAttrMap(path.values),
        ScanIndexForward: !path.descending,
        ExclusiveStartKey: startKey,
        Limit: limit,
      }),
    );
  }, budget);
  try {
    for await (const p of pages) {
      yield (p.Items ?? []).map((stored) => ({ item: fromStored(stored), sk: stored[skAttr]?.S ?? '' }));
    }
  } catch (err) {
    translateBudget(err);
  }
}

/**
 * Counts what an exact index path selects with Select COUNT: DynamoDB reads the items the key
 * condition selects (charged as items read) but sends none of them back.
 */
export async function countIndex(db: Db, path: IndexPath, budget: Budget): Promise<number> {
  let count = 0;
  const pages = paginate<QueryCommandOutput>(
    (startKey) =>
      db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          IndexName: gsiName(path.index.slot),
          KeyConditionExpression: path.keyCondition,
          FilterExpression: path.filterExpression,
          ExpressionAttributeNames: path.names,
          ExpressionAttributeValues: toAttrMap(path.values),
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      ),
    budget,
  );
  try {
    for await (const p of pages) count += p.Count ?? 0;
  } catch (err) {
    translateBudget(err);
  }
  return count;
}

function translateBudget(err: unknown): never {
  if (err instanceof BudgetExhaustedError) {
    throw new QueryTooExpensiveError(
      `the query reads too much data for one request (${err.what} budget spent)`,
    );
  }
  throw err;
}
