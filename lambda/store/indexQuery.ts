/** Reading an index's GSI slot in key order: every index Query is built here (counts run it through store/selectCount.ts). */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { QueryTooExpensiveError } from '../errors';
import type { IndexPath } from '../query/indexPlan';
import type { Db } from './client';
import { toAttrMap } from './codec';
import { fromStored, type WixItem } from './items';
import { BudgetExhaustedError, paginate, type Budget } from './paginate';
import { gsiName, gsiSk } from './schema';
import { selectCount } from './selectCount';

export interface IndexedItem {
  readonly item: WixItem;
  /** the item's index sort key: equal keys are ties the caller orders itself */
  readonly sk: string;
}

const MAX_PAGE_LIMIT = 1000;
const MIN_PAGE_LIMIT = 25;

/**
 * The Limit of the next page. The first asks for `wanted` plus one look-ahead (a key condition often
 * selects exactly the matches); later ones for what is still missing at the selectivity the filter
 * showed so far, with a fifth to spare, and four times more while nothing has matched.
 *
 * Not store/pageLimit.ts on purpose: that rule is for item partitions, where a filter usually rejects
 * some of what the key selects, so its first page assumes 80 % of what it reads will match.
 * An index's key condition is usually the filter itself, so the first page here assumes all match
 * and reads the page plus one. Later pages differ too (the raw rate with a fifth to spare and a floor
 * of 25, against a smoothed rate with a tenth): the index reads' measured costs (indexReads tests,
 * the index benchmark) rest on these Limits, and even one formula with the differences as parameters
 * moves some Limits by one through floating-point rounding alone, so the rules stay two.
 */
export function nextLimit(
  wanted: number | undefined,
  seen: { pages: number; scanned: number; matched: number; lastLimit: number },
): number {
  if (wanted === undefined) return MAX_PAGE_LIMIT;
  if (seen.pages === 0) return Math.min(MAX_PAGE_LIMIT, wanted + 1);
  if (seen.matched === 0) return Math.min(MAX_PAGE_LIMIT, Math.max(MIN_PAGE_LIMIT, seen.lastLimit * 4));
  const missing = Math.max(1, wanted + 1 - seen.matched);
  const estimate = Math.ceil((missing * seen.scanned * 1.2) / seen.matched);
  return Math.min(MAX_PAGE_LIMIT, Math.max(MIN_PAGE_LIMIT, estimate));
}

/**
 * Yields pages in the index's key order. The projection is ALL, so items come whole (no follow-up
 * BatchGetItem). `wanted` sizes the pages (nextLimit); without it (every match is read) pages are
 * as large as DynamoDB gives.
 */
export async function* streamIndex(
  db: Db,
  path: IndexPath,
  wanted: number | undefined,
  budget: Budget,
): AsyncGenerator<IndexedItem[]> {
  const seen = { pages: 0, scanned: 0, matched: 0, lastLimit: 0 };
  const skAttr = gsiSk(path.index.slot);
  const pages = paginate<QueryCommandOutput>((startKey) => {
    const limit = nextLimit(wanted, seen);
    seen.lastLimit = limit;
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
      seen.pages += 1;
      seen.scanned += p.ScannedCount ?? 0;
      seen.matched += p.Count ?? 0;
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
  return selectCount(
    db,
    {
      IndexName: gsiName(path.index.slot),
      KeyConditionExpression: path.keyCondition,
      FilterExpression: path.filterExpression,
      ExpressionAttributeNames: path.names,
      ExpressionAttributeValues: toAttrMap(path.values),
    },
    budget,
    translateBudget,
  );
}

function translateBudget(err: unknown): never {
  if (err instanceof BudgetExhaustedError) {
    throw new QueryTooExpensiveError(
      `the query reads too much data for one request (${err.what} budget spent)`,
    );
  }
  throw err;
}
