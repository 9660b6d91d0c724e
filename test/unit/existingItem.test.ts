/**
 * Writes to items that must exist (store/existingItem.ts) in our collections (store/items.ts) and in
 * attached tables (store/attached/write.ts): the exact delete requests, what they return, and a
 * failed existence condition as ItemNotFoundError (DynamoDB mocked, no network).
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ItemNotFoundError } from '../../lambda/errors';
import { deleteAttached } from '../../lambda/store/attached/write';
import { toAttrMap } from '../../lambda/store/codec';
import { whenExists } from '../../lambda/store/existingItem';
import { deleteItem, replaceItem } from '../../lambda/store/items';
import { mockedDb, ORDERS_LAYOUT } from '../helpers/mockedDb';

const { ddb, db } = mockedDb();

const layout = ORDERS_LAYOUT;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

const cases = [
  {
    name: 'an item of a collection',
    remove: (id: string) => deleteItem(db, 'I#t#c#g', id),
    request: {
      TableName: 'unit-table',
      Key: { pk: { S: 'I#t#c#g' }, sk: { S: 'a1' } },
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ReturnValues: 'ALL_OLD',
    },
    stored: toAttrMap({ pk: 'I#t#c#g', sk: 'a1', d: { title: 'x' } }),
  },
  {
    name: 'an item of an attached table',
    remove: (id: string) => deleteAttached(db, layout, id),
    request: {
      TableName: 'orders',
      Key: { orderId: { S: 'a1' } },
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'orderId' },
      ReturnValues: 'ALL_OLD',
    },
    stored: toAttrMap({ orderId: 'a1', title: 'x' }),
  },
];

describe.each(cases)('deleting $name', ({ remove, request, stored }) => {
  it('sends one conditional DeleteItem and returns the item as it was', async () => {
    ddb.on(DeleteItemCommand).resolves({ Attributes: stored });
    expect(await remove('a1')).toEqual({ _id: 'a1', title: 'x' });
    expect(ddb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input)).toStrictEqual([request]);
  });

  it('answers ItemNotFoundError for an item that is not there', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    await expect(remove('a1')).rejects.toEqual(new ItemNotFoundError('a1'));
  });

  it('passes other failures on as they are', async () => {
    const failure = new Error('network down');
    ddb.on(DeleteItemCommand).rejects(failure);
    await expect(remove('a1')).rejects.toBe(failure);
  });
});

describe('other writes to an existing item (whenExists)', () => {
  it('answers ItemNotFoundError when a replace finds no item', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    const replace = replaceItem(db, 'I#t#c#g', { _id: 'a1', title: 'y' }, { $date: '2026-01-01T00:00:00Z' });
    await expect(replace).rejects.toBeInstanceOf(ItemNotFoundError);
  });

  it('returns what the write returns', async () => {
    expect(await whenExists('a1', async () => 42)).toBe(42);
  });
});
