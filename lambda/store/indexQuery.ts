/** Reading an index's GSI slot in key order: the only place index Queries are sent. */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { QueryTooExpensiveError } from '../errors';
import type { IndexPath } from '../query/indexPlan';
import type { Db } from './client';
import { toAttrMap } from './codec';
import { fromStored, type WixItem } from './items';
import { nextPageLimit } from './pageLimit';
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
 * BatchGetItem). `wanted` sizes the first page; later pages follow what the filter keeps.
 */
export async function* streamIndex(
  db: Db,
  path: IndexPath,
  wanted: number,
  budget: Budget,
): AsyncGenerator<IndexedItem[]> {
  let page = 0;
  const skAttr = gsiSk(path.index.slot);
  // With a filter, each page's Limit follows the selectivity DynamoDB's filter showed on the pages
  // before it (store/pageLimit.ts); memory may reject more, so the estimate errs towards short pages.
  let read = 0;
  let kept = 0;
  const pages = paginate<QueryCommandOutput>((startKey) => {
    const limit =
      path.filterExpression === undefined
        ? Math.min(MAX_PAGE_LIMIT, (wanted + 1) * 4 ** page)
        : nextPageLimit({ wanted, matched: kept, read, everyReadMatches: false, maxLimit: MAX_PAGE_LIMIT });
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
      read += p.ScannedCount ?? p.Items?.length ?? 0;
      kept += p.Count ?? p.Items?.length ?? 0;
      yield (p.Items ?? []).map((stored) => ({ item: fromStored(stored), sk: stored[skAttr]?.S ?? '' }));
    }
  } catch (err) {
    if (err instanceof BudgetExhaustedError) {
      throw new QueryTooExpensiveError(
        `the query reads too much data for one request (${err.what} budget spent)`,
      );
    }
    throw err;
  }
}
