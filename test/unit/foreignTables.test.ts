/**
 * The foreign tables shared by `npm run sample-table` and the attached-table tests
 * (bin/local/foreignTables.ts): how items are written (DynamoDB mocked, no network).
 */
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { putForeignItems, type RawItem } from '../../bin/local/foreignTables';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'local' });

beforeEach(() => ddb.reset());

const items = (n: number): RawItem[] => Array.from({ length: n }, (_, i) => ({ id: { S: `i${i}` } }));
const idsOf = (input: { RequestItems?: Record<string, { PutRequest?: { Item?: RawItem } }[]> }) =>
  (input.RequestItems?.t ?? []).map((w) => w.PutRequest!.Item!.id!.S);

/** Answers each batch after a few ms, recording the most batches in flight at once. */
function slowWrites(): { most: number } {
  const seen = { most: 0 };
  let inFlight = 0;
  ddb.on(BatchWriteItemCommand).callsFake(async () => {
    seen.most = Math.max(seen.most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight -= 1;
    return {};
  });
  return seen;
}

describe('putForeignItems', () => {
  it('writes chunks of 25 in order, one at a time, when asked for one in flight', async () => {
    const writes = slowWrites();
    await putForeignItems(client, 't', items(60), 1);
    const calls = ddb.commandCalls(BatchWriteItemCommand).map((c) => idsOf(c.args[0].input));
    expect(calls.map((ids) => ids.length)).toEqual([25, 25, 10]);
    expect(calls.flat()).toEqual(items(60).map((item) => item.id!.S));
    expect(writes.most).toBe(1);
  });

  it('keeps several chunks in flight by default', async () => {
    const writes = slowWrites();
    await putForeignItems(client, 't', items(250));
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(10);
    expect(writes.most).toBe(6);
  });

  it('writes unprocessed items again until none is left', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { t: [{ PutRequest: { Item: { id: { S: 'i3' } } } }] } })
      .resolves({});
    await putForeignItems(client, 't', items(5), 1);
    const calls = ddb.commandCalls(BatchWriteItemCommand).map((c) => idsOf(c.args[0].input));
    expect(calls).toEqual([['i0', 'i1', 'i2', 'i3', 'i4'], ['i3']]);
  });
});
