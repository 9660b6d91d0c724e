/**
 * The one `#pk = :pk` partition Query (store/partitionPages.ts): the exact request each of its
 * callers sends, and that it pages through LastEvaluatedKey (DynamoDB mocked, no network).
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { partitionPages, type PartitionPagesOptions } from '../../lambda/store/partitionPages';
import { BudgetExhaustedError } from '../../lambda/store/paginate';
import { mockedDb } from '../helpers/mockedDb';

const { ddb, db } = mockedDb();

async function firstRequest(options?: PartitionPagesOptions): Promise<unknown> {
  ddb.on(QueryCommand).resolves({ Items: [] });
  for await (const _ of partitionPages(db, 'P#1', options));
  return ddb.commandCalls(QueryCommand)[0]!.args[0].input;
}

const base = {
  TableName: 'unit-table',
  KeyConditionExpression: '#pk = :pk',
  ExpressionAttributeNames: { '#pk': 'pk' },
  ExpressionAttributeValues: { ':pk': { S: 'P#1' } },
  ExclusiveStartKey: undefined,
};

describe('partitionPages', () => {
  it.each([
    ['nothing asked: an eventually consistent read of whole items', undefined, base],
    ['job markers and inbound links: consistent', { consistent: true }, { ...base, ConsistentRead: true }],
    [
      'an index build resuming after an _id: consistent, 200 a page, from that sort key',
      { consistent: true, limit: 200, after: 'id-7' },
      {
        ...base,
        ConsistentRead: true,
        Limit: 200,
        ExclusiveStartKey: { pk: { S: 'P#1' }, sk: { S: 'id-7' } },
      },
    ],
    [
      'an index clear: its slot attributes only',
      { consistent: true, limit: 500, project: { '#sk': 'sk', '#gp': 'g2pk', '#gs': 'g2sk', '#gu': 'g2u' } },
      {
        ...base,
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#gp': 'g2pk', '#gs': 'g2sk', '#gu': 'g2u' },
        ProjectionExpression: '#pk, #sk, #gp, #gs, #gu',
        ConsistentRead: true,
        Limit: 500,
      },
    ],
    [
      'a purge: keys only, 1000 a page, eventually consistent',
      { limit: 1000, project: { '#sk': 'sk' } },
      {
        ...base,
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ProjectionExpression: '#pk, #sk',
        Limit: 1000,
      },
    ],
  ])('%s', async (_case, options, expected) => {
    expect(await firstRequest(options)).toStrictEqual(expected);
  });

  it('follows LastEvaluatedKey to the end of the partition', async () => {
    const lek = { pk: { S: 'P#1' }, sk: { S: 'b' } };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ sk: { S: 'a' } }, { sk: { S: 'b' } }], LastEvaluatedKey: lek })
      .resolvesOnce({ Items: [{ sk: { S: 'c' } }] });
    const seen: string[] = [];
    for await (const page of partitionPages(db, 'P#1', { consistent: true })) {
      for (const item of page.Items ?? []) seen.push(item.sk!.S!);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey);
    expect(calls).toEqual([undefined, lek]);
  });

  it('stops at its budget with the key to resume from', async () => {
    const lek = { pk: { S: 'P#1' }, sk: { S: 'a' } };
    ddb.on(QueryCommand).resolves({ Items: [{ sk: { S: 'a' } }], LastEvaluatedKey: lek });
    const read = async () => {
      for await (const _ of partitionPages(db, 'P#1', { budget: { maxPages: 2 } }));
    };
    await expect(read()).rejects.toEqual(new BudgetExhaustedError('pages', lek));
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });
});
