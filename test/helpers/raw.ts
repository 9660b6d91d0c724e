/** Direct looks at the table, to check what is stored independently of the adaptor's read path. */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { getCollection } from '../../lambda/store/collections';
import { itemsPk } from '../../lambda/store/keys';
import type { TestAdaptor } from './adaptor';

export async function partitionCount(a: TestAdaptor, pk: string): Promise<number> {
  let count = 0;
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const out = await a.deps.db.client.send(
      new QueryCommand({
        TableName: a.deps.db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

export async function currentPartition(a: TestAdaptor, collectionId: string): Promise<string> {
  const c = await getCollection(a.deps.db, a.tenant, collectionId);
  if (!c) throw new Error(`no collection ${collectionId}`);
  return itemsPk(a.tenant, collectionId, c.record.generation);
}
