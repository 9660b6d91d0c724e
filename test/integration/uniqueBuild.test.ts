/**
 * Building a unique index over existing items (DynamoDB Local): the backfill claims every value in
 * the item's own transaction; a duplicate ends the index FAILED (WDE0113) naming the item; writes
 * during the build are refused against what is claimed, and a duplicate they slip in ahead of the
 * backfill fails the build.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { runIndexBuild } from '../../lambda/service/indexBuild';
import { fromAttrMap, toAttrMap } from '../../lambda/store/codec';
import { requireCollection } from '../../lambda/store/collections';
import { pendingBuilds, type IndexBuildJob } from '../../lambda/store/indexBuild';
import { uniquenessPk } from '../../lambda/store/uniqueness';
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

const C = 'products';
/**
 * The backfill (store/indexBuild.ts) reads 200 items per page: collections of 250 give it a second
 * page, so claims made on one page meet the values of the next, as they would over any size.
 */
const TWO_PAGES = 250;

/** n items `i00000`.. with sku `s<k>` (every tenth without one), plus `extra` items. */
async function collectionWith(a: TestAdaptor, n: number, extra: Record<string, unknown>[] = []) {
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields: [] } })).status).toBe(200);
  const items: Record<string, unknown>[] = Array.from({ length: n }, (_, k) => ({
    _id: `i${String(k).padStart(5, '0')}`,
    ...(k % 10 === 0 ? {} : { sku: `s${k}` }),
  }));
  items.push(...extra);
  for (let start = 0; start < items.length; start += 500) {
    const res = await a.call('/v3/items/insert', { collectionId: C, items: items.slice(start, start + 500) });
    expect(res.status).toBe(200);
  }
}

const indexOf = async (a: TestAdaptor, name: string) =>
  (await a.call('/v3/indexes/list', { collectionId: C })).body.indexes.find(
    (i: { name: string }) => i.name === name,
  );

async function claimCount(a: TestAdaptor): Promise<number> {
  const { record } = await requireCollection(a.deps.db, a.tenant, C);
  let count = 0;
  let startKey: Record<string, any> | undefined;
  do {
    const out = await a.deps.db.client.send(
      new QueryCommand({
        TableName: a.deps.db.tableName,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: toAttrMap({ ':p': uniquenessPk(a.tenant, C, record.generation) }),
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    count += (out.Items ?? []).map((i) => fromAttrMap(i)).length;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

const insertOne = async (a: TestAdaptor, item: Record<string, unknown>) =>
  (await a.call('/v3/items/insert', { collectionId: C, items: [item] })).body.results[0];

describe('building a unique index', () => {
  it('claims every existing value, becomes ACTIVE, then refuses a value an old item holds', async () => {
    const a = createTestAdaptor();
    await collectionWith(a, TWO_PAGES);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'bySku', unique: true, fields: [{ path: 'sku' }] },
    });
    await buildsIdle(a);
    expect(await indexOf(a, 'bySku')).toMatchObject({ status: 'ACTIVE', unique: true });
    expect(await claimCount(a)).toBe(TWO_PAGES * 0.9); // items without a sku claim nothing
    const dup = await insertOne(a, { _id: 'new', sku: 's7' });
    expect(dup.error).toMatchObject({ errorCode: 'ITEM_ALREADY_EXISTS', data: { index: 'bySku' } });
    expect((await insertOne(a, { _id: 'new2' })).item).toBeDefined();
  });

  it.each([
    { label: 'equal values', extra: { _id: 'z-dup', sku: 's123' }, caseInsensitive: false },
    {
      label: 'values equal once case is folded',
      extra: { _id: 'z-dup', sku: 'S123' },
      caseInsensitive: true,
    },
  ])('ends FAILED (WDE0113) with the item id over $label', async ({ extra, caseInsensitive }) => {
    const a = createTestAdaptor();
    await collectionWith(a, TWO_PAGES, [extra]); // i00123 on the first page, z-dup on the second
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'bySku', unique: true, caseInsensitive, fields: [{ path: 'sku' }] },
    });
    await buildsIdle(a);
    const index = await indexOf(a, 'bySku');
    expect(index.status).toBe('FAILED');
    expect(index.failure.code).toBe('WDE0113');
    expect(['i00123', 'z-dup']).toContain(index.failure.itemId);
    expect(index.failure.description).toContain('i00123');
    expect(index.failure.description).toContain('z-dup');
    expect(
      (await pendingBuilds(a.deps.db, 0, new Date(Date.now() + 60_000))).filter((j) => j.tenant === a.tenant),
    ).toEqual([]);
    // a FAILED index is not enforced (nor maintained): writes go on as without it
    expect((await insertOne(a, { _id: 'later', sku: 's5' })).item).toBeDefined();
  });

  it('does not fail over a case difference when the index is case-sensitive', async () => {
    const a = createTestAdaptor();
    await collectionWith(a, 50, [{ _id: 'z', sku: 'S12' }]);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'bySku', unique: true, fields: [{ path: 'sku' }] },
    });
    await buildsIdle(a);
    expect((await indexOf(a, 'bySku')).status).toBe('ACTIVE');
  });

  it('refuses writes against values already claimed, and fails over a duplicate slipped in ahead of it', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, TWO_PAGES);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'bySku', unique: true, fields: [{ path: 'sku' }] },
    });
    const job: IndexBuildJob = deps.indexBuilder.jobs[0]!;
    const first = await runIndexBuild(deps, job, 0); // one page of 200: i00000..i00199 claimed
    expect(first.next).toBeDefined();
    // a value of the claimed page is refused; a new value is claimed by its writer
    expect((await insertOne(a, { _id: 'w1', sku: 's7' })).error?.errorCode).toBe('ITEM_ALREADY_EXISTS');
    expect((await insertOne(a, { _id: 'w2', sku: 'fresh' })).item).toBeDefined();
    // a value of an item the backfill has not reached yet cannot be known: the build finds it
    expect((await insertOne(a, { _id: 'w3', sku: 's221' })).item).toBeDefined();
    let outcome = first;
    while (outcome.next) outcome = await runIndexBuild(deps, outcome.next, Number.POSITIVE_INFINITY);
    const index = await indexOf(a, 'bySku');
    expect(index).toMatchObject({ status: 'FAILED', failure: { code: 'WDE0113' } });
    expect(['i00221', 'w3']).toContain(index.failure.itemId);
  });
});
