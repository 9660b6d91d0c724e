/**
 * Reading one whole partition of our table in sort-key order: the `#pk = :pk` Query that job
 * markers, index builds and clears, purges and inbound reference links all page through. One place
 * builds it, so they all send the same request and every page goes through paginate().
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { Db } from './client';
import { toAttrMap } from './codec';
import { paginate, type Budget } from './paginate';
import { ATTR } from './schema';

export interface PartitionPagesOptions {
  /** A strongly consistent read (the jobs need what was just written); eventually consistent without it. */
  readonly consistent?: boolean;
  /** Items per page (DynamoDB's Limit); without it pages stop at 1 MB. */
  readonly limit?: number;
  /**
   * Read only these attributes besides the partition key, by placeholder (e.g. `{ '#sk': ATTR.sk }`);
   * without it items come whole.
   */
  readonly project?: Readonly<Record<string, string>>;
  /** Resume after the item with this sort key (a job handed over to a fresh invocation). */
  readonly after?: string;
  readonly budget?: Budget;
}

/** Yields the pages of the partition `pk`, from the start or after `options.after`. */
export function partitionPages(
  db: Db,
  pk: string,
  options: PartitionPagesOptions = {},
): AsyncGenerator<QueryCommandOutput, void, undefined> {
  const { consistent, limit, project, after, budget } = options;
  return paginate<QueryCommandOutput>(
    (startKey) =>
      db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ATTR.pk, ...project },
          ExpressionAttributeValues: toAttrMap({ ':pk': pk }),
          ...(project && { ProjectionExpression: ['#pk', ...Object.keys(project)].join(', ') }),
          ...(consistent !== undefined && { ConsistentRead: consistent }),
          ExclusiveStartKey: startKey,
          ...(limit !== undefined && { Limit: limit }),
        }),
      ),
    budget,
    after === undefined ? undefined : toAttrMap({ [ATTR.pk]: pk, [ATTR.sk]: after }),
  );
}
