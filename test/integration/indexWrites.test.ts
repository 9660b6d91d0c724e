/**
 * Item writes fill the GSI slots of a collection's indexes (DynamoDB Local): every path that writes
 * an item (V3 and legacy insert and update) leaves the index holding exactly the collection's items,
 * in the order the in-memory sort gives them.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { comparator } from '../../lambda/query/sort';
import { fromAttrMap, toAttrMap } from '../../lambda/store/codec';
import { requireCollection } from '../../lambda/store/collections';
import { indexPk } from '../../lambda/store/indexKeys';
import { gsiName, gsiPk } from '../../lambda/store/schema';
import { randomUUID } from 'node:crypto';
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

/** Legacy calls need a configured secret key; builds never run, so only the writes fill the index. */
const deps = depsWithoutBuilds({ WIX_SECRET_KEY: `index-writes-${randomUUID()}` });

const C = 'products';

async function setup(indexes: unknown[]): Promise<TestAdaptor> {
  const a = createTestAdaptor({ deps });
  expect(
    (
      await a.call('/v3/collections/create', {
        collection: { id: C, fields: [{ key: 'price', type: 'NUMBER' }] },
      })
    ).status,
  ).toBe(200);
  for (const index of indexes) {
    expect((await a.call('/v3/indexes/create', { collectionId: C, index })).status).toBe(200);
  }
  return a;
}

/** The item ids an index holds, in its key order, read straight from its GSI slot. */
async function idsInIndex(a: TestAdaptor, name: string): Promise<string[]> {
  const { record } = await requireCollection(a.deps.db, a.tenant, C);
  const index = record.indexes!.find((i) => i.name === name)!;
  const pk = indexPk({ tenant: a.tenant, collectionId: C, generation: record.generation }, index);
  const out = await a.deps.db.client.send(
    new QueryCommand({
      TableName: a.deps.db.tableName,
      IndexName: gsiName(index.slot),
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': gsiPk(index.slot) },
      ExpressionAttributeValues: toAttrMap({ ':p': pk }),
    }),
  );
  return (out.Items ?? []).map((i) => String(fromAttrMap(i).sk));
}

async function allItems(a: TestAdaptor): Promise<Record<string, unknown>[]> {
  const res = await a.call('/v3/items/query', { collectionId: C, query: { paging: { limit: 1000 } } });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** The ids in the order the in-memory sort puts them; ties (equal keys) may come in any order. */
function expectIndexOrder(
  ids: string[],
  items: Record<string, unknown>[],
  sort: { field: string; desc: boolean }[],
) {
  const byId = new Map(items.map((i) => [String(i._id), i]));
  expect([...ids].sort()).toEqual([...byId.keys()].sort());
  const cmp = comparator(sort);
  for (let i = 1; i < ids.length; i++) {
    expect(cmp(byId.get(ids[i - 1]!)!, byId.get(ids[i]!)!)).toBeLessThanOrEqual(0);
  }
}

const values = [
  5,
  -1,
  0.5,
  null,
  undefined,
  'cheap',
  'Cheap',
  true,
  1e9,
  { $date: '2024-01-01T00:00:00.000Z' },
];

describe('index entries on item writes', () => {
  it('holds every inserted item (V3 and legacy) in the in-memory sort order, ASC and DESC', async () => {
    const a = await setup([
      { name: 'byPrice', fields: [{ path: 'price' }] },
      { name: 'byTagThenPrice', fields: [{ path: 'meta.tag', order: 'DESC' }, { path: 'price' }] },
    ]);
    const items = values.map((price, i) => ({
      _id: `v${i}`,
      ...(price === undefined ? {} : { price }),
      meta: { tag: `t${i % 3}` },
    }));
    expect((await a.call('/v3/items/insert', { collectionId: C, items: items.slice(0, 6) })).status).toBe(
      200,
    );
    for (const item of items.slice(6)) {
      expect((await a.legacy('/data/insert', { collectionName: C, item })).status).toBe(200);
    }
    const stored = await allItems(a);
    expect(stored).toHaveLength(values.length);
    expectIndexOrder(await idsInIndex(a, 'byPrice'), stored, [{ field: 'price', desc: false }]);
    expectIndexOrder(await idsInIndex(a, 'byTagThenPrice'), stored, [
      { field: 'meta.tag', desc: true },
      { field: 'price', desc: false },
    ]);
  });

  it('moves an updated item to its new place (V3 and legacy update)', async () => {
    const a = await setup([{ name: 'byPrice', fields: [{ path: 'price', order: 'DESC' }] }]);
    await a.call('/v3/items/insert', {
      collectionId: C,
      items: [1, 2, 3].map((p) => ({ _id: `p${p}`, price: p })),
    });
    expect(await idsInIndex(a, 'byPrice')).toEqual(['p3', 'p2', 'p1']);
    expect(
      (await a.call('/v3/items/update', { collectionId: C, items: [{ _id: 'p1', price: 10 }] })).status,
    ).toBe(200);
    expect(await idsInIndex(a, 'byPrice')).toEqual(['p1', 'p3', 'p2']);
    expect(
      (await a.legacy('/data/update', { collectionName: C, item: { _id: 'p3', price: 0 } })).status,
    ).toBe(200);
    expect(await idsInIndex(a, 'byPrice')).toEqual(['p1', 'p2', 'p3']);
    // an update dropping the field moves the item where Wix puts missing values (last, for DESC)
    await a.call('/v3/items/update', { collectionId: C, items: [{ _id: 'p1' }] });
    expect(await idsInIndex(a, 'byPrice')).toEqual(['p2', 'p3', 'p1']);
  });

  it('keeps indexes over _owner and _createdDate right on update, which does not send them', async () => {
    const a = await setup([
      { name: 'byOwnerCreated', fields: [{ path: '_owner' }, { path: '_createdDate', order: 'DESC' }] },
    ]);
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'x', _owner: 'bob', price: 1 }] });
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'y', _owner: 'amy', price: 2 }] });
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'z', _owner: 'amy', price: 3 }] });
    const before = await idsInIndex(a, 'byOwnerCreated');
    expectIndexOrder(before, await allItems(a), [
      { field: '_owner', desc: false },
      { field: '_createdDate', desc: true },
    ]);
    await a.call('/v3/items/update', {
      collectionId: C,
      items: [
        { _id: 'y', price: 20 },
        { _id: 'x', price: 10 },
      ],
    });
    expect(await idsInIndex(a, 'byOwnerCreated')).toEqual(before);
    const upd = await a.call('/v3/items/update', { collectionId: C, items: [{ _id: 'nope', price: 1 }] });
    expect(upd.body.results[0].error.errorCode).toBe('ITEM_NOT_FOUND');
  });

  it('orders an index over _createdDate by the dates a legacy caller sent, also when an update moves one', async () => {
    const a = await setup([{ name: 'byCreated', fields: [{ path: '_createdDate' }] }]);
    const at = (iso: string) => ({ $date: iso });
    const ins = await a.legacy('/data/insert/bulk', {
      collectionName: C,
      items: [
        { _id: 'late', _createdDate: at('2021-01-01T00:00:00.000Z') },
        { _id: 'early', _createdDate: at('2019-01-01T00:00:00.000Z') },
        { _id: 'mid', _createdDate: '2020-01-01T00:00:00Z' },
      ],
    });
    expect(ins.status).toBe(200);
    expect(await idsInIndex(a, 'byCreated')).toEqual(['early', 'mid', 'late']);
    const up = await a.legacy('/data/update', {
      collectionName: C,
      item: { _id: 'early', price: 1, _createdDate: at('2022-01-01T00:00:00.000Z') },
    });
    expect(up.status).toBe(200);
    expect(await idsInIndex(a, 'byCreated')).toEqual(['mid', 'late', 'early']);
    // Without one, the stored date stays, in the item and in the index.
    await a.legacy('/data/update', { collectionName: C, item: { _id: 'mid', price: 2 } });
    expect(await idsInIndex(a, 'byCreated')).toEqual(['mid', 'late', 'early']);
  });

  it('folds case for a caseInsensitive index', async () => {
    const a = await setup([{ name: 'ci', caseInsensitive: true, fields: [{ path: 'name' }] }]);
    await a.call('/v3/items/insert', {
      collectionId: C,
      items: [
        { _id: '1', name: 'b' },
        { _id: '2', name: 'A' },
        { _id: '3', name: 'C' },
      ],
    });
    expect(await idsInIndex(a, 'ci')).toEqual(['2', '1', '3']);
  });

  it('starts the next generation with an empty index after truncate (O(1): nothing rewritten)', async () => {
    const a = await setup([{ name: 'byPrice', fields: [{ path: 'price' }] }]);
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'old', price: 1 }] });
    expect(await idsInIndex(a, 'byPrice')).toEqual(['old']);
    expect((await a.call('/v3/items/truncate', { collectionId: C })).status).toBe(200);
    expect(await idsInIndex(a, 'byPrice')).toEqual([]);
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'new', price: 2 }] });
    expect(await idsInIndex(a, 'byPrice')).toEqual(['new']);
  });

  it('clears a removed index’s entries on update, and a new index on the freed slot never sees them', async () => {
    const a = await setup([{ name: 'gone', fields: [{ path: 'price' }] }]);
    await a.call('/v3/items/insert', {
      collectionId: C,
      items: [
        { _id: 'a', price: 1 },
        { _id: 'b', price: 2 },
      ],
    });
    const { record } = await requireCollection(a.deps.db, a.tenant, C);
    const oldIndex = record.indexes![0]!;
    await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'gone' });
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'next', fields: [{ path: 'price' }] },
    });
    // only items written since hold an entry of the new index (the build covers the rest)
    expect(await idsInIndex(a, 'next')).toEqual([]);
    await a.call('/v3/items/update', { collectionId: C, items: [{ _id: 'b', price: 3 }] });
    expect(await idsInIndex(a, 'next')).toEqual(['b']);
    // and the old index's partition lost b's entry when b was rewritten
    const oldPk = indexPk({ tenant: a.tenant, collectionId: C, generation: record.generation }, oldIndex);
    const old = await a.deps.db.client.send(
      new QueryCommand({
        TableName: a.deps.db.tableName,
        IndexName: gsiName(oldIndex.slot),
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': gsiPk(oldIndex.slot) },
        ExpressionAttributeValues: toAttrMap({ ':p': oldPk }),
      }),
    );
    expect((old.Items ?? []).map((i) => fromAttrMap(i).sk)).toEqual(['a']);
  });

  it('writes no slot attributes for a collection without indexes', async () => {
    const a = await setup([]);
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'a', price: 1 }] });
    await a.call('/v3/items/update', { collectionId: C, items: [{ _id: 'a', price: 2 }] });
    const { record } = await requireCollection(a.deps.db, a.tenant, C);
    const { itemsPk } = await import('../../lambda/store/keys');
    const out = await a.deps.db.client.send(
      new QueryCommand({
        TableName: a.deps.db.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: toAttrMap({ ':p': itemsPk(a.tenant, C, record.generation) }),
      }),
    );
    // `ct`: the creation token every item gets (store/creationToken.ts), kept by the update
    expect(Object.keys(out.Items![0]!).sort()).toEqual(['c', 'ct', 'd', 'o', 'pk', 'sk', 'u']);
  });
});
