/**
 * The one Select COUNT loop (store/selectCount.ts) and its two callers, item counts
 * (store/queryItems.ts countQuery) and index counts (store/indexQuery.ts countIndex): the exact
 * requests, the sum over pages, the budget charged and how a spent budget is worded (DynamoDB mocked).
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { QueryTooExpensiveError } from '../../lambda/errors';
import type { IndexRecord } from '../../lambda/model/collection';
import { countIndex } from '../../lambda/store/indexQuery';
import { BudgetExhaustedError } from '../../lambda/store/paginate';
import { countQuery, type QueryPath } from '../../lambda/store/queryItems';
import { selectCount } from '../../lambda/store/selectCount';
import { mockedDb } from '../helpers/mockedDb';

const { ddb, db } = mockedDb();

const expressions = {
  keyCondition: '#pk = :pk',
  filterExpression: '#f0 = :v0',
  names: { '#pk': 'pk', '#f0': 'd.status' },
  values: { ':pk': 'I#t#c#g', ':v0': 'paid' },
};
const itemPath: QueryPath = {
  kind: 'query',
  ...expressions,
  exact: true,
  descending: false,
  orderedBySort: true,
};
const index = { name: 'byStatus', slot: 2 } as IndexRecord;
const indexPath = { index, descending: false, exact: true, prefix: undefined, ...expressions };
const wire = {
  KeyConditionExpression: '#pk = :pk',
  FilterExpression: '#f0 = :v0',
  ExpressionAttributeNames: { '#pk': 'pk', '#f0': 'd.status' },
  ExpressionAttributeValues: { ':pk': { S: 'I#t#c#g' }, ':v0': { S: 'paid' } },
};

/** Three pages: 4 + 0 + 3 matches among 10 + 10 + 5 items read. */
function threePages(): void {
  const lek = (sk: string) => ({ pk: { S: 'I#t#c#g' }, sk: { S: sk } });
  ddb
    .on(QueryCommand)
    .resolvesOnce({ Count: 4, ScannedCount: 10, LastEvaluatedKey: lek('j') })
    .resolvesOnce({ Count: 0, ScannedCount: 10, LastEvaluatedKey: lek('t') })
    .resolvesOnce({ Count: 3, ScannedCount: 5 });
}

const inputs = () => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);

describe('the Select COUNT requests', () => {
  it.each([
    [
      'items, consistent',
      () => countQuery(db, itemPath, true, {}),
      { TableName: 'unit-table', ...wire, ConsistentRead: true, Select: 'COUNT' },
    ],
    [
      'items, eventually consistent',
      () => countQuery(db, itemPath, false, {}),
      { TableName: 'unit-table', ...wire, ConsistentRead: false, Select: 'COUNT' },
    ],
    [
      'an index (GSIs have no consistent reads)',
      () => countIndex(db, indexPath, {}),
      { TableName: 'unit-table', IndexName: 'gsi2', ...wire, Select: 'COUNT' },
    ],
  ])('%s: sums every page, each the same Query from the last key', async (_case, count, expected) => {
    threePages();
    expect(await count()).toBe(7);
    expect(inputs()).toStrictEqual([
      { ...expected, ExclusiveStartKey: undefined },
      { ...expected, ExclusiveStartKey: { pk: { S: 'I#t#c#g' }, sk: { S: 'j' } } },
      { ...expected, ExclusiveStartKey: { pk: { S: 'I#t#c#g' }, sk: { S: 't' } } },
    ]);
  });
});

describe('a spent budget', () => {
  it.each([
    [
      'items',
      () => countQuery(db, itemPath, true, { maxPages: 2 }),
      'the query reads too much data for one request (pages budget spent); narrow the filter or sort by _id',
    ],
    [
      'an index',
      () => countIndex(db, indexPath, { maxPages: 2 }),
      'the query reads too much data for one request (pages budget spent)',
    ],
  ])('%s: QueryTooExpensiveError in its own words', async (_case, count, message) => {
    threePages();
    await expect(count()).rejects.toEqual(new QueryTooExpensiveError(message));
    expect(inputs()).toHaveLength(2);
  });
});

describe('selectCount', () => {
  it('charges every page read to the request budget', async () => {
    threePages();
    const charged: number[] = [];
    const request = { chargeRead: (n: number) => charged.push(n), check: () => undefined };
    const budget = { request: request as never };
    expect(
      await selectCount(db, wire, budget, (err) => {
        throw err;
      }),
    ).toBe(7);
    expect(charged).toEqual([10, 10, 5]);
  });

  it('hands errors other than a budget to the translation as they are', async () => {
    const failure = new Error('network down');
    ddb.on(QueryCommand).rejects(failure);
    const seen: unknown[] = [];
    const translate = (err: unknown): never => {
      seen.push(err);
      throw err;
    };
    await expect(selectCount(db, wire, {}, translate)).rejects.toBe(failure);
    expect(seen).toEqual([failure]);
  });

  it('hands a spent budget to the translation with the key to resume from', async () => {
    threePages();
    const seen: unknown[] = [];
    const translate = (err: unknown): never => {
      seen.push(err);
      throw new Error('translated');
    };
    await expect(selectCount(db, wire, { maxPages: 1 }, translate)).rejects.toThrow('translated');
    expect(seen).toEqual([new BudgetExhaustedError('pages', { pk: { S: 'I#t#c#g' }, sk: { S: 'j' } })]);
  });
});
