/**
 * Unique indexes enforced on every write path (DynamoDB Local, with its transactions): a value
 * another item holds is refused per item, nothing of that item written; updates, removes and
 * truncate free values; concurrent writers of one value cannot both win.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { fromAttrMap, toAttrMap } from '../../lambda/store/codec';
import { requireCollection } from '../../lambda/store/collections';
import { uniquenessPk } from '../../lambda/store/uniqueness';
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

/** Builds never run: the index stays BUILDING, which writes enforce exactly as ACTIVE. */
const deps = depsWithoutBuilds({ WIX_SECRET_KEY: `unique-${randomUUID()}` });
const C = 'members';

async function setup(indexes: unknown[] = [{ name: 'byEmail', unique: true, fields: [{ path: 'email' }] }]) {
  const a = createTestAdaptor({ deps });
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields: [] } })).status).toBe(200);
  for (const index of indexes)
    expect((await a.call('/v3/indexes/create', { collectionId: C, index })).status).toBe(200);
  return a;
}

async function insert(a: TestAdaptor, items: Record<string, unknown>[]) {
  const res = await a.call('/v3/items/insert', { collectionId: C, items });
  expect(res.status).toBe(200);
  return res.body.results as { item?: Record<string, unknown>; error?: Record<string, any> }[];
}

async function update(a: TestAdaptor, items: Record<string, unknown>[]) {
  const res = await a.call('/v3/items/update', { collectionId: C, items });
  expect(res.status).toBe(200);
  return res.body.results as { item?: Record<string, unknown>; error?: Record<string, any> }[];
}

async function stored(a: TestAdaptor): Promise<Record<string, unknown>[]> {
  const res = await a.call('/v3/items/query', { collectionId: C, query: { paging: { limit: 1000 } } });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** The uniqueness records of the collection's current generation: claim sort key -> item id. */
async function claims(a: TestAdaptor, generation?: string): Promise<Record<string, string>> {
  const gen = generation ?? (await requireCollection(a.deps.db, a.tenant, C)).record.generation;
  const out = await a.deps.db.client.send(
    new QueryCommand({
      TableName: a.deps.db.tableName,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': 'pk' },
      ExpressionAttributeValues: toAttrMap({ ':p': uniquenessPk(a.tenant, C, gen) }),
      ConsistentRead: true,
    }),
  );
  return Object.fromEntries((out.Items ?? []).map((i) => fromAttrMap(i)).map((r) => [r.sk, r.itemId]));
}

describe('unique indexes', () => {
  it('refuses a duplicate insert per item, naming index, field and value; the others land', async () => {
    const a = await setup();
    expect((await insert(a, [{ _id: 'a', email: 'x@y.z' }]))[0]!.item).toBeDefined();
    const results = await insert(a, [
      { _id: 'b', email: 'x@y.z', name: 'dup' },
      { _id: 'c', email: 'c@y.z' },
      { _id: 'd' },
      { _id: 'e', email: null },
    ]);
    expect(results[0]!.error).toMatchObject({
      errorCode: 'ITEM_ALREADY_EXISTS',
      data: { itemId: 'b', index: 'byEmail', field: 'email', value: '"x@y.z"' },
    });
    expect(results[0]!.error!.errorMessage).toContain('byEmail');
    expect(results[0]!.error!.errorMessage).toContain('x@y.z');
    expect(results.slice(1).every((r) => r.item !== undefined)).toBe(true);
    // nothing of the refused item was written; items without the value (missing, null) never conflict
    expect((await stored(a)).map((i) => i._id).sort()).toEqual(['a', 'c', 'd', 'e']);
    expect(Object.values(await claims(a)).sort()).toEqual(['a', 'c']);
  });

  it('refuses the second of two equal values within one bulk insert', async () => {
    const a = await setup();
    const results = await insert(a, [
      { _id: 'a', email: 'same' },
      { _id: 'b', email: 'same' },
    ]);
    expect(results.filter((r) => r.error?.errorCode === 'ITEM_ALREADY_EXISTS')).toHaveLength(1);
    expect(await stored(a)).toHaveLength(1);
  });

  it('still refuses a taken _id as such', async () => {
    const a = await setup();
    await insert(a, [{ _id: 'a', email: 'one' }]);
    const [r] = await insert(a, [{ _id: 'a', email: 'two' }]);
    expect(r!.error).toMatchObject({ errorCode: 'ITEM_ALREADY_EXISTS', data: { itemId: 'a' } });
    expect(r!.error!.data.index).toBeUndefined();
    expect(Object.values(await claims(a))).toEqual(['a']);
  });

  it('refuses an update to a taken value and leaves the item as it was', async () => {
    const a = await setup();
    await insert(a, [
      { _id: 'a', email: 'a@x' },
      { _id: 'b', email: 'b@x', n: 1 },
    ]);
    const [r] = await update(a, [{ _id: 'b', email: 'a@x', n: 2 }]);
    expect(r!.error).toMatchObject({
      errorCode: 'ITEM_ALREADY_EXISTS',
      data: { index: 'byEmail', itemId: 'b' },
    });
    expect((await stored(a)).find((i) => i._id === 'b')).toMatchObject({ email: 'b@x', n: 1 });
  });

  it('frees the old value on update, keeps it on an update that does not change it', async () => {
    const a = await setup();
    await insert(a, [{ _id: 'a', email: 'old' }]);
    const [same] = await update(a, [{ _id: 'a', email: 'old', n: 1 }]);
    expect(same!.item).toMatchObject({ _id: 'a', email: 'old', n: 1 });
    const [moved] = await update(a, [{ _id: 'a', email: 'new' }]);
    expect(moved!.item).toMatchObject({ _id: 'a', email: 'new' });
    expect(moved!.item!._createdDate).toBeDefined();
    expect((await insert(a, [{ _id: 'b', email: 'old' }]))[0]!.item).toBeDefined();
    expect((await insert(a, [{ _id: 'c', email: 'new' }]))[0]!.error?.errorCode).toBe('ITEM_ALREADY_EXISTS');
    // dropping the field frees the value too
    await update(a, [{ _id: 'a' }]);
    expect((await insert(a, [{ _id: 'd', email: 'new' }]))[0]!.item).toBeDefined();
    expect(Object.values(await claims(a)).sort()).toEqual(['b', 'd']);
  });

  it('frees the value of a removed item', async () => {
    const a = await setup();
    await insert(a, [{ _id: 'a', email: 'v' }]);
    const res = await a.call('/v3/items/remove', { collectionId: C, itemIds: ['a', 'nope'] });
    expect(res.body.results[0].item).toMatchObject({ _id: 'a', email: 'v' });
    expect(res.body.results[1].error.errorCode).toBe('ITEM_NOT_FOUND');
    expect(await claims(a)).toEqual({});
    expect((await insert(a, [{ _id: 'b', email: 'v' }]))[0]!.item).toBeDefined();
  });

  it('frees every value on truncate (a new generation has no claims) and the purge drops the old ones', async () => {
    const a = await setup();
    await insert(a, [{ _id: 'a', email: 'v' }]);
    const before = (await requireCollection(a.deps.db, a.tenant, C)).record.generation;
    expect((await a.call('/v3/items/truncate', { collectionId: C })).status).toBe(200);
    expect((await insert(a, [{ _id: 'b', email: 'v' }]))[0]!.item).toBeDefined();
    const { purgePartition } = await import('../../lambda/store/purge');
    await purgePartition(a.deps.db, { tenant: a.tenant, collectionId: C, generation: before });
    expect(await claims(a, before)).toEqual({});
  });

  it('folds case for a caseInsensitive unique index', async () => {
    const a = await setup([
      { name: 'byEmail', unique: true, caseInsensitive: true, fields: [{ path: 'email' }] },
    ]);
    await insert(a, [{ _id: 'a', email: 'Ann@X.org' }]);
    expect((await insert(a, [{ _id: 'b', email: 'ann@x.ORG' }]))[0]!.error?.errorCode).toBe(
      'ITEM_ALREADY_EXISTS',
    );
  });

  it.each([
    { label: 'numbers equal as numbers', first: 1, second: 1.0, conflicts: true },
    { label: 'a number and its text', first: 1, second: '1', conflicts: false },
    { label: 'case differs (case-sensitive index)', first: 'Ab', second: 'ab', conflicts: false },
    {
      label: 'equal documents, keys in another order',
      first: { a: 1, b: 2 },
      second: { b: 2, a: 1 },
      conflicts: true,
    },
    {
      label: 'equal dates',
      first: { $date: '2026-01-01T00:00:00.000Z' },
      second: { $date: '2026-01-01T00:00:00.000Z' },
      conflicts: true,
    },
    {
      label: 'long equal texts (hashed)',
      first: 'x'.repeat(5000),
      second: 'x'.repeat(5000),
      conflicts: true,
    },
    {
      label: 'long texts differing at the end (hashed)',
      first: `${'x'.repeat(5000)}a`,
      second: `${'x'.repeat(5000)}b`,
      conflicts: false,
    },
  ])('$label: conflict = $conflicts', async ({ first, second, conflicts }) => {
    const a = await setup([{ name: 'byV', unique: true, fields: [{ path: 'v' }] }]);
    expect((await insert(a, [{ _id: 'a', v: first }]))[0]!.item).toBeDefined();
    const [r] = await insert(a, [{ _id: 'b', v: second }]);
    expect(r!.error?.errorCode === 'ITEM_ALREADY_EXISTS').toBe(conflicts);
  });

  it('refuses an item DynamoDB cannot hold with a 400 per item, as without unique indexes', async () => {
    const a = await setup();
    const [r] = await insert(a, [{ _id: 'big', email: 'b', text: 'x'.repeat(403 * 1024) }]);
    expect(r!.error?.errorCode).toBe('VALIDATION_ERROR');
    expect(await claims(a)).toEqual({});
  });

  it('lets exactly one of 20 concurrent inserts of one value land', async () => {
    const a = await setup();
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) => insert(a, [{ _id: `p${i}`, email: 'race@x' }])),
    );
    const landed = all.filter((r) => r[0]!.item !== undefined);
    expect(landed).toHaveLength(1);
    expect(all.filter((r) => r[0]!.error?.errorCode === 'ITEM_ALREADY_EXISTS')).toHaveLength(19);
    expect(await stored(a)).toHaveLength(1);
    expect(Object.values(await claims(a))).toEqual([landed[0]![0]!.item!._id]);
  });

  it('lets exactly one of 10 concurrent updates to one value land', async () => {
    const a = await setup();
    await insert(
      a,
      Array.from({ length: 10 }, (_, i) => ({ _id: `p${i}`, email: `own${i}` })),
    );
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, i) => update(a, [{ _id: `p${i}`, email: 'wanted' }])),
    );
    expect(all.filter((r) => r[0]!.item !== undefined)).toHaveLength(1);
    const items = await stored(a);
    expect(items.filter((i) => i.email === 'wanted')).toHaveLength(1);
    // every item holds exactly its one claim: the losers kept theirs
    expect(Object.keys(await claims(a))).toHaveLength(10);
  });

  it('is enforced on the legacy paths too (insert, bulk insert, update)', async () => {
    const a = await setup();
    expect(
      (await a.legacy('/data/insert', { collectionName: C, item: { _id: 'a', email: 'v' } })).status,
    ).toBe(200);
    const dup = await a.legacy('/data/insert', { collectionName: C, item: { _id: 'b', email: 'v' } });
    expect(dup.status).toBe(409);
    const bulk = await a.legacy('/data/insert/bulk', {
      collectionName: C,
      items: [
        { _id: 'c', email: 'w' },
        { _id: 'd', email: 'v' },
      ],
    });
    expect(bulk.status).toBe(409);
    expect(
      (await a.legacy('/data/update', { collectionName: C, item: { _id: 'c', email: 'v' } })).status,
    ).toBe(409);
    const items = await stored(a);
    expect(items.map((i) => [i._id, i.email]).sort()).toEqual([
      ['a', 'v'],
      ['c', 'w'],
    ]);
  });

  it('enforces a unique index over a nested field and a system field', async () => {
    const a = await setup([
      { name: 'byCity', unique: true, fields: [{ path: 'address.city' }] },
      { name: 'byOwner', unique: true, fields: [{ path: '_owner' }] },
    ]);
    await insert(a, [{ _id: 'a', address: { city: 'Oslo' }, _owner: 'o1' }]);
    const [city] = await insert(a, [{ _id: 'b', address: { city: 'Oslo' }, _owner: 'o2' }]);
    expect(city!.error?.data).toMatchObject({ index: 'byCity', field: 'address.city' });
    const [owner] = await insert(a, [{ _id: 'c', address: { city: 'Rome' }, _owner: 'o1' }]);
    expect(owner!.error?.data).toMatchObject({ index: 'byOwner', field: '_owner' });
    // an update keeps the stored _owner, so it keeps its claim
    expect((await update(a, [{ _id: 'a', address: { city: 'Bergen' } }]))[0]!.item).toBeDefined();
    expect(Object.values(await claims(a)).sort()).toEqual(['a', 'a']);
  });
});
