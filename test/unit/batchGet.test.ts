/**
 * The one BatchGetItem loop (store/batchGet.ts) as attached tables use it (store/attached/read.ts
 * getAttachedItems): the chunks, the keys asked again, and every request charged to the request's
 * budget. Our own items' use is covered in storeRetries.test.ts (DynamoDB mocked, no network).
 */
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { RequestBudget } from '../../lambda/model/budget';
import { getAttachedItems } from '../../lambda/store/attached/read';
import { batchGetAll } from '../../lambda/store/batchGet';
import type { AttrMap } from '../../lambda/store/codec';
import { mockedDb, ORDERS_LAYOUT } from '../helpers/mockedDb';

const { ddb, db } = mockedDb();

const layout = ORDERS_LAYOUT;
type Keys = { orderId: { S: string } }[];

/** Answers every key, except that the first full chunk gets its last 40 keys back unprocessed. */
function answerWithOneRetry(table: string): void {
  let retried = false;
  ddb.on(BatchGetItemCommand).callsFake((input) => {
    const keys = input.RequestItems[table].Keys as Keys;
    if (!retried && keys.length === 100) {
      retried = true;
      return {
        Responses: { [table]: keys.slice(0, 60).map((k) => ({ ...k, n: { N: '1' } })) },
        UnprocessedKeys: { [table]: { Keys: keys.slice(60) } },
      };
    }
    return { Responses: { [table]: keys.map((k) => ({ ...k, n: { N: '1' } })) } };
  });
}

const asked = () =>
  ddb.commandCalls(BatchGetItemCommand).map((c) => {
    const request = c.args[0].input.RequestItems!.orders!;
    return { keys: request.Keys!.length, consistent: request.ConsistentRead };
  });

describe('getAttachedItems by many ids', () => {
  it('reads chunks of 100, asks again for unprocessed keys and charges every request', async () => {
    answerWithOneRetry('orders');
    const charged: number[] = [];
    const request = { check: () => undefined, chargeRead: (n: number) => charged.push(n) };
    const ids = Array.from({ length: 230 }, (_, i) => `o${i}`);
    const found = await getAttachedItems(db, layout, ids, true, {
      request: request as unknown as RequestBudget,
    });
    expect([...found.keys()].sort()).toEqual([...ids].sort());
    expect(asked()).toEqual([
      { keys: 100, consistent: true },
      { keys: 100, consistent: true },
      { keys: 30, consistent: true },
      { keys: 40, consistent: true },
    ]);
    expect(charged).toEqual([100, 100, 30, 40]);
  });
});

describe('batchGetAll', () => {
  it('hands every item read to keep, in whichever order they come', async () => {
    answerWithOneRetry('orders');
    const keys: AttrMap[] = Array.from({ length: 150 }, (_, i) => ({ orderId: { S: `o${i}` } }));
    const kept: string[] = [];
    await batchGetAll(db, keys, {
      table: 'orders',
      consistent: false,
      keep: (s) => kept.push(s.orderId!.S!),
    });
    expect(kept.sort()).toEqual(keys.map((k) => k.orderId!.S!).sort());
    expect(asked().map((a) => a.consistent)).toEqual([false, false, false]);
  });
});
