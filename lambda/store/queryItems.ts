/**
 * Executes query plans: the only place Query requests for items are made (a count's pages are read
 * by store/selectCount.ts).
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { QueryTooExpensiveError } from '../errors';
import type { AccessPath } from '../query/plan';
import type { Db } from './client';
import { toAttrMap } from './codec';
import { fromStored, type WixItem } from './items';
import { nextPageLimit } from './pageLimit';
import { BudgetExhaustedError, paginate, type Budget } from './paginate';
import { selectCount } from './selectCount';

export type QueryPath = Extract<AccessPath, { kind: 'query' }>;

export interface StreamOptions {
  readonly consistent: boolean;
  /** How many matches the caller expects to need: pages sized to find them (undefined = read it all). */
  readonly wanted?: number;
  /**
   * Matches the consumer has found so far among the pages yielded, counted after its in-memory
   * re-check: the selectivity the next page's Limit follows (store/pageLimit.ts). Without it the
   * store counts what DynamoDB's own filter kept, which errs high (pages short, never long).
   */
  readonly matched?: () => number;
  readonly budget: Budget;
}

const MAX_PAGE_LIMIT = 10_000;

function translateBudget(err: unknown): never {
  if (err instanceof BudgetExhaustedError) {
    throw new QueryTooExpensiveError(
      `the query reads too much data for one request (${err.what} budget spent); narrow the filter or sort by _id`,
    );
  }
  throw err;
}

/** Yields the items of each page DynamoDB returns, in key order. */
export async function* streamQuery(
  db: Db,
  path: QueryPath,
  options: StreamOptions,
): AsyncGenerator<WixItem[]> {
  // When DynamoDB applies no filter and memory has nothing left to check, every item read is a
  // match: read exactly what is wanted. Otherwise each page's Limit follows the selectivity measured
  // on the pages before it (a large page would stop at DynamoDB's 1 MB anyway).
  const everyReadMatches = path.exact && path.filterExpression === undefined;
  let read = 0;
  let keptByDynamo = 0;
  const pages = paginate<QueryCommandOutput>((startKey) => {
    const wanted = options.wanted;
    const limit =
      wanted === undefined
        ? undefined
        : nextPageLimit({
            wanted,
            matched: options.matched ? options.matched() : keptByDynamo,
            read,
            everyReadMatches,
            maxLimit: MAX_PAGE_LIMIT,
          });
    return db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: path.keyCondition,
        FilterExpression: path.filterExpression,
        ExpressionAttributeNames: path.names,
        ExpressionAttributeValues: toAttrMap(path.values),
        ScanIndexForward: !path.descending,
        ConsistentRead: options.consistent,
        ExclusiveStartKey: startKey,
        Limit: limit,
      }),
    );
  }, options.budget);
  try {
    for await (const p of pages) {
      read += p.ScannedCount ?? p.Items?.length ?? 0;
      keptByDynamo += p.Count ?? p.Items?.length ?? 0;
      yield (p.Items ?? []).map(fromStored);
    }
  } catch (err) {
    translateBudget(err);
  }
}

/** Counts matches with Select COUNT (only for exact filters: nothing left to check in memory). */
export async function countQuery(
  db: Db,
  path: QueryPath,
  consistent: boolean,
  budget: Budget,
): Promise<number> {
  return selectCount(
    db,
    {
      KeyConditionExpression: path.keyCondition,
      FilterExpression: path.filterExpression,
      ExpressionAttributeNames: path.names,
      ExpressionAttributeValues: toAttrMap(path.values),
      ConsistentRead: consistent,
    },
    budget,
    translateBudget,
  );
}
