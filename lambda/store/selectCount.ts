/**
 * Counting with Select COUNT: DynamoDB reads what the key condition selects (charged to the budget
 * as items read) and sends back only how many passed the filter. Item and index counts share this
 * loop; they differ only in the Query they ask for and in how a spent budget is worded to the caller.
 */
import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { Db } from './client';
import { paginate, type Budget } from './paginate';

/** The Query to count: everything but the table, Select and the page key, which this loop sets. */
export type CountQuery = Omit<QueryCommandInput, 'TableName' | 'Select' | 'ExclusiveStartKey'>;

/**
 * Sums Count over every page of `query`. An error while paging (a spent budget above all) goes to
 * `translate`, which throws what the caller's callers expect.
 */
export async function selectCount(
  db: Db,
  query: CountQuery,
  budget: Budget,
  translate: (err: unknown) => never,
): Promise<number> {
  let count = 0;
  const pages = paginate<QueryCommandOutput>(
    (startKey) =>
      db.client.send(
        new QueryCommand({ TableName: db.tableName, ...query, Select: 'COUNT', ExclusiveStartKey: startKey }),
      ),
    budget,
  );
  try {
    for await (const p of pages) count += p.Count ?? 0;
  } catch (err) {
    translate(err);
  }
  return count;
}
