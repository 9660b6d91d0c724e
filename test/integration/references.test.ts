/** References across collections against DynamoDB Local. */
import { randomUUID } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { resetStats, totalRequests } from '../../lambda/store/client';
import { requireCollection } from '../../lambda/store/collections';
import { deleteItem } from '../../lambda/store/items';
import { itemsPk } from '../../lambda/store/keys';
import { referencesPk } from '../../lambda/store/references';
import { createTestAdaptor, purgesIdle, testDeps, type TestAdaptor } from '../helpers/adaptor';

async function world(a: TestAdaptor = createTestAdaptor()): Promise<TestAdaptor> {
  await a.call('/v3/collections/create', {
    collection: {
      id: 'cities',
      fields: [
        { key: 'name', type: 'TEXT' },
        { key: 'pois', type: 'MULTI_REFERENCE', multiReferenceOptions: { referencedCollectionId: 'places' } },
        {
          key: 'capitalOf',
          type: 'REFERENCE',
          singleReferenceOptions: { referencedCollectionId: 'countries' },
        },
      ],
    },
  });
  await a.call('/v3/collections/create', {
    collection: {
      id: 'places',
      fields: [
        { key: 'title', type: 'TEXT' },
        { key: 'stars', type: 'NUMBER' },
      ],
    },
  });
  await a.call('/v3/collections/create', {
    collection: { id: 'countries', fields: [{ key: 'name', type: 'TEXT' }] },
  });
  await a.call('/v3/items/insert', {
    collectionId: 'countries',
    items: [
      { _id: 'fr', name: 'France' },
      { _id: 'it', name: 'Italy' },
    ],
  });
  await a.call('/v3/items/insert', {
    collectionId: 'cities',
    items: [
      { _id: 'paris', name: 'Paris', capitalOf: 'fr' },
      { _id: 'rome', name: 'Rome', capitalOf: 'it' },
      { _id: 'lyon', name: 'Lyon' },
    ],
  });
  await a.call('/v3/items/insert', {
    collectionId: 'places',
    items: [
      { _id: 'eiffel', title: 'Eiffel Tower', stars: 5 },
      { _id: 'louvre', title: 'Louvre', stars: 5 },
      { _id: 'colosseum', title: 'Colosseum', stars: 4 },
      { _id: 'bellecour', title: 'Place Bellecour', stars: 3 },
    ],
  });
  return a;
}

const link = (a: TestAdaptor, pairs: [string, string][]) =>
  a.call('/v3/items/insert-references', {
    collectionId: 'cities',
    referringFieldKey: 'pois',
    references: pairs.map(([referringItemId, referencedItemId]) => ({ referringItemId, referencedItemId })),
  });

const pairsOf = (body: { items: { referringItemId: string; referencedItemId: string }[] }) =>
  body.items.map((r) => `${r.referringItemId}->${r.referencedItemId}`);

describe('references', () => {
  it('inserts with per-item results: REFERENCE_ALREADY_EXISTS and ITEM_NOT_FOUND in their own slots', async () => {
    const a = await world();
    await link(a, [['paris', 'eiffel']]);
    const res = await link(a, [
      ['paris', 'louvre'],
      ['paris', 'eiffel'],
      ['paris', 'nowhere'],
      ['atlantis', 'eiffel'],
      ['paris', 'louvre'],
    ]);
    const r = res.body.results;
    expect(r[0]).toEqual({ reference: { referringItemId: 'paris', referencedItemId: 'louvre' } });
    expect(r[1].error).toMatchObject({
      errorCode: 'REFERENCE_ALREADY_EXISTS',
      data: { referringItemId: 'paris', referencedItemId: 'eiffel' },
    });
    expect(r[2].error).toMatchObject({ errorCode: 'ITEM_NOT_FOUND', data: { itemId: 'nowhere' } });
    expect(r[3].error).toMatchObject({ errorCode: 'ITEM_NOT_FOUND', data: { itemId: 'atlantis' } });
    expect(r[4].error.errorCode).toBe('REFERENCE_ALREADY_EXISTS');
  });

  it('queries by referring ids with one Query each, in creation order, with items and projection', async () => {
    const a = await world();
    await link(a, [['paris', 'louvre']]);
    await link(a, [
      ['paris', 'eiffel'],
      ['rome', 'colosseum'],
    ]);
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referringItemIds: ['paris'],
      includeReferencedItems: true,
      fieldsToReturn: ['title'],
      returnTotalCount: true,
    });
    expect(res.body.items).toEqual([
      {
        referringItemId: 'paris',
        referencedItemId: 'louvre',
        referencedItem: { _id: 'louvre', title: 'Louvre' },
      },
      {
        referringItemId: 'paris',
        referencedItemId: 'eiffel',
        referencedItem: { _id: 'eiffel', title: 'Eiffel Tower' },
      },
    ]);
    expect(res.body.pagingMetadata).toMatchObject({ count: 2, total: 2 });
    expect(a.deps.db.stats.requests.QueryCommand).toBe(1);
    const desc = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referringItemIds: ['paris'],
      order: 'DESC',
      includeReferencedItems: false,
    });
    expect(pairsOf(desc.body)).toEqual(['paris->eiffel', 'paris->louvre']);
    expect(desc.body.items[0].referencedItem).toBeUndefined();
  });

  it('queries by referenced ids through the reverse index, by both, or all', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['lyon', 'eiffel'],
      ['rome', 'colosseum'],
    ]);
    const who = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referencedItemIds: ['eiffel'],
    });
    expect(pairsOf(who.body).sort()).toEqual(['lyon->eiffel', 'paris->eiffel']);
    const both = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referringItemIds: ['paris', 'rome'],
      referencedItemIds: ['colosseum'],
    });
    expect(pairsOf(both.body)).toEqual(['rome->colosseum']);
    const all = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      paging: { limit: 2, offset: 1 },
      returnTotalCount: true,
    });
    expect(all.body.items).toHaveLength(2);
    expect(all.body.pagingMetadata.total).toBe(3);
  });

  it('pages with cursors', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['paris', 'louvre'],
      ['paris', 'colosseum'],
      ['paris', 'bellecour'],
    ]);
    const seen: string[] = [];
    let res = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referringItemIds: ['paris'],
      cursorPaging: { limit: 3 },
    });
    for (;;) {
      seen.push(...pairsOf(res.body));
      const next = res.body.pagingMetadata.cursors.next;
      if (!next) break;
      res = await a.call('/v3/items/query-referenced', {
        collectionId: 'cities',
        referringFieldKey: 'pois',
        cursorPaging: { cursor: next },
      });
    }
    expect(seen).toEqual(['paris->eiffel', 'paris->louvre', 'paris->colosseum', 'paris->bellecour']);
  });

  it('removes with REFERENCE_NOT_FOUND per missing pair', async () => {
    const a = await world();
    await link(a, [['paris', 'eiffel']]);
    const res = await a.call('/v3/items/remove-references', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      references: [
        { referringItemId: 'paris', referencedItemId: 'eiffel' },
        { referringItemId: 'paris', referencedItemId: 'eiffel' },
      ],
    });
    expect(res.body.results[0].reference).toEqual({ referringItemId: 'paris', referencedItemId: 'eiffel' });
    expect(res.body.results[1].error).toMatchObject({ errorCode: 'REFERENCE_NOT_FOUND' });
  });

  it('removing an item removes the references it holds and those pointing at it', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['lyon', 'eiffel'],
      ['paris', 'louvre'],
    ]);
    await a.call('/v3/items/remove', { collectionId: 'places', itemIds: ['eiffel'] });
    await a.call('/v3/items/remove', { collectionId: 'cities', itemIds: ['lyon'] });
    const all = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
    });
    expect(pairsOf(all.body)).toEqual(['paris->louvre']);
    const who = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referencedItemIds: ['eiffel'],
    });
    expect(who.body.items).toEqual([]);
  });

  // Issue 10, item 10 (docs/security.md "Smaller findings"): references carry their items' creation tokens.
  it('references left behind by a removed item do not reappear when its _id is inserted again', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['lyon', 'eiffel'],
      ['lyon', 'louvre'],
    ]);
    // A remove whose reference clean-up did not happen (it is best effort, and the reverse index
    // it reads is eventually consistent): the items go, their references stay behind.
    for (const [collectionId, id] of [
      ['places', 'eiffel'],
      ['cities', 'lyon'],
    ] as const) {
      const { record } = await requireCollection(a.deps.db, a.tenant, collectionId);
      await deleteItem(a.deps.db, itemsPk(a.tenant, collectionId, record.generation), id);
    }
    // New items under the same ids: none of the old pairs may come back, on either side.
    await a.call('/v3/items/insert', { collectionId: 'places', items: [{ _id: 'eiffel', title: 'New' }] });
    await a.call('/v3/items/insert', {
      collectionId: 'cities',
      items: [{ _id: 'lyon', name: 'New Lyon' }],
    });
    const all = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
    });
    expect(pairsOf(all.body)).toEqual([]);
    // References made after the new insert are the new items' own and stay.
    expect((await link(a, [['lyon', 'eiffel']])).status).toBe(200);
    const again = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referencedItemIds: ['eiffel'],
    });
    expect(pairsOf(again.body)).toEqual(['lyon->eiffel']);
  });

  it('truncating either side hides its references at once; the purge removes the held ones', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['rome', 'colosseum'],
    ]);
    await a.call('/v3/items/truncate', { collectionId: 'places' });
    const afterTarget = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
    });
    expect(afterTarget.body.items).toEqual([]);
    await a.call('/v3/items/insert', {
      collectionId: 'places',
      items: [{ _id: 'eiffel', title: 'Eiffel again' }],
    });
    // a fresh reference to the re-created item may be made; the stale one does not block it
    expect((await link(a, [['paris', 'eiffel']])).body.results[0].reference).toBeDefined();
    await a.call('/v3/items/truncate', { collectionId: 'cities' });
    await purgesIdle(a);
    const afterSource = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
    });
    expect(afterSource.body.items).toEqual([]);
  });

  it('includes referenced items on query with batched reads, never a request per row', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['paris', 'louvre'],
      ['rome', 'colosseum'],
      ['lyon', 'bellecour'],
    ]);
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: { sort: [{ fieldName: 'name', order: 'ASC' }] },
      includeReferencedItems: [{ fieldKey: 'pois', limit: 1 }, { fieldKey: 'capitalOf' }],
    });
    const byId = Object.fromEntries(res.body.items.map((i: { _id: string }) => [i._id, i]));
    expect(byId.paris.pois).toEqual([expect.objectContaining({ _id: 'eiffel' })]);
    expect(byId.rome.pois).toEqual([expect.objectContaining({ _id: 'colosseum' })]);
    expect(byId.paris.capitalOf).toEqual(expect.objectContaining({ _id: 'fr', name: 'France' }));
    expect(byId.lyon.capitalOf).toBeUndefined();
    // 1 query page + metadata reads + one key-prefix Query per returned row + batched item reads
    expect(a.deps.db.stats.requests.QueryCommand).toBe(1 + 3);
    expect(totalRequests(a.deps.db.stats)).toBeLessThanOrEqual(9);
    const filtered = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: { filter: { _id: 'paris' } },
      includeReferencedItems: [{ fieldKey: 'pois', filter: { title: { $startsWith: 'lou' } } }],
    });
    expect(filtered.body.items[0].pois.map((p: { _id: string }) => p._id)).toEqual(['louvre']);
  });

  it('advertises reference operations only on collections with a multi-reference field', async () => {
    const a = await world();
    const got = await a.call('/v3/collections/get', { collectionIds: ['cities', 'places'] });
    const ops = Object.fromEntries(
      got.body.collections.map((c: { id: string; capabilities: { dataOperations: string[] } }) => [
        c.id,
        c.capabilities.dataOperations,
      ]),
    );
    expect(ops.cities).toEqual(
      expect.arrayContaining([
        'QUERY_REFERENCED',
        'INSERT_REFERENCES',
        'REMOVE_REFERENCES',
        'AGGREGATE',
        'DISTINCT',
      ]),
    );
    expect(ops.places).not.toContain('INSERT_REFERENCES');
  });

  it('refuses a field that is not a multi-reference', async () => {
    const a = await world();
    const res = await a.call('/v3/items/insert-references', {
      collectionId: 'cities',
      referringFieldKey: 'name',
      references: [{ referringItemId: 'paris', referencedItemId: 'eiffel' }],
    });
    expect([res.status, res.body.errorCode]).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('keeps tenants apart', async () => {
    const a = await world();
    await link(a, [['paris', 'eiffel']]);
    const b = createTestAdaptor();
    const res = await b.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
    });
    expect(res.status).toBe(404);
  });
});

/** Issue 10, item 6: the reads an include makes are bounded by the page returned, and budgeted. */
/** Issue 10, item 10: a reference belongs to the lives of its two items, not to their ids. */
describe('references of an earlier life of an _id', () => {
  /** Removes items without the remove's reference clean-up (as when it failed or raced). */
  async function dropItems(a: TestAdaptor, items: [string, string][]): Promise<void> {
    for (const [collectionId, id] of items) {
      const { record } = await requireCollection(a.deps.db, a.tenant, collectionId);
      await deleteItem(a.deps.db, itemsPk(a.tenant, collectionId, record.generation), id);
    }
  }

  const poisOf = (body: { items: { _id: string; pois: { _id: string }[] }[] }) =>
    Object.fromEntries(body.items.map((i) => [i._id, i.pois.map((p) => p._id)]));

  it('includeReferencedItems on a query, with and without a projection, skips them on either side', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['paris', 'louvre'],
      ['lyon', 'bellecour'],
    ]);
    await dropItems(a, [
      ['places', 'eiffel'],
      ['cities', 'lyon'],
    ]);
    await a.call('/v3/items/insert', { collectionId: 'places', items: [{ _id: 'eiffel', title: 'New' }] });
    await a.call('/v3/items/insert', { collectionId: 'cities', items: [{ _id: 'lyon', name: 'New Lyon' }] });
    for (const fields of [undefined, ['name']]) {
      const res = await a.call('/v3/items/query', {
        collectionId: 'cities',
        query: { filter: { _id: { $in: ['paris', 'lyon'] } }, ...(fields ? { fields } : {}) },
        includeReferencedItems: [{ fieldKey: 'pois', limit: 5 }],
      });
      expect(poisOf(res.body)).toEqual({ paris: ['louvre'], lyon: [] });
    }
  });

  it('inserts through a unique index (a transaction, not PutItem) start a new life too', async () => {
    const a = await world();
    const created = await a.call('/v3/indexes/create', {
      collectionId: 'places',
      index: { name: 'byTitle', fields: [{ path: 'title' }], unique: true },
    });
    expect(created.status).toBe(200);
    // both lives of `tower` are written by the unique-index writer
    const insertTower = (title: string) =>
      a.call('/v3/items/insert', { collectionId: 'places', items: [{ _id: 'tower', title }] });
    expect((await insertTower('Old')).status).toBe(200);
    await link(a, [['paris', 'tower']]);
    await dropItems(a, [['places', 'tower']]);
    expect((await insertTower('New')).status).toBe(200);
    const res = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: { filter: { _id: 'paris' } },
      includeReferencedItems: [{ fieldKey: 'pois', limit: 5 }],
    });
    expect(poisOf(res.body)).toEqual({ paris: [] });
  });

  it('the same pair referenced again replaces the stale record: one reference, no ALREADY_EXISTS', async () => {
    const a = await world();
    await link(a, [['paris', 'eiffel']]);
    await dropItems(a, [['places', 'eiffel']]);
    await a.call('/v3/items/insert', { collectionId: 'places', items: [{ _id: 'eiffel', title: 'New' }] });
    const again = await link(a, [['paris', 'eiffel']]);
    expect(again.body.results[0].reference).toEqual({ referringItemId: 'paris', referencedItemId: 'eiffel' });
    // and the live one is now taken
    expect((await link(a, [['paris', 'eiffel']])).body.results[0].error.errorCode).toBe(
      'REFERENCE_ALREADY_EXISTS',
    );
    const res = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referencedItemIds: ['eiffel'],
      includeReferencedItems: true,
      returnTotalCount: true,
    });
    expect(res.body.items).toEqual([
      expect.objectContaining({
        referringItemId: 'paris',
        referencedItem: expect.objectContaining({ title: 'New' }),
      }),
    ]);
    expect(res.body.pagingMetadata.total).toBe(1);
  });

  it('pages and totals count only live references', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['paris', 'louvre'],
      ['paris', 'colosseum'],
      ['paris', 'bellecour'],
    ]);
    await dropItems(a, [
      ['places', 'louvre'],
      ['places', 'colosseum'],
    ]);
    await a.call('/v3/items/insert', { collectionId: 'places', items: [{ _id: 'louvre', title: 'New' }] });
    const first = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referringItemIds: ['paris'],
      cursorPaging: { limit: 1 },
      returnTotalCount: true,
    });
    expect(pairsOf(first.body)).toEqual(['paris->eiffel']);
    expect(first.body.pagingMetadata.total).toBe(2);
    const second = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      cursorPaging: { cursor: first.body.pagingMetadata.cursors.next },
    });
    expect(pairsOf(second.body)).toEqual(['paris->bellecour']);
    expect(second.body.pagingMetadata.cursors.next).toBeNull();
  });

  it("does not trust a legacy caller's _createdDate, in the past or the future", async () => {
    // legacy calls need a configured secret key
    const a = await world(createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: `refs-${randomUUID()}` }) }));
    await link(a, [['paris', 'eiffel']]);
    await dropItems(a, [['places', 'eiffel']]);
    // an old date on the new item: the old reference must still not count
    const old = { _id: 'eiffel', title: 'Again', _createdDate: { $date: '1970-01-01T00:00:00.000Z' } };
    expect((await a.legacy('/data/insert', { collectionName: 'places', item: old })).status).toBe(200);
    const query = () =>
      a.call('/v3/items/query-referenced', { collectionId: 'cities', referringFieldKey: 'pois' });
    expect(pairsOf((await query()).body)).toEqual([]);
    // a future date on a new item: references made after it do count
    const future = { _id: 'pantheon', title: 'Later', _createdDate: { $date: '2999-01-01T00:00:00.000Z' } };
    expect((await a.legacy('/data/insert', { collectionName: 'places', item: future })).status).toBe(200);
    await link(a, [['paris', 'pantheon']]);
    expect(pairsOf((await query()).body)).toEqual(['paris->pantheon']);
  });

  it('records and items from before creation tokens keep counting until an item is created again', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['rome', 'colosseum'],
    ]);
    // strip the tokens, as data written by an earlier version holds none
    const strip = async (pk: string, sk: string, attrs: string[]) =>
      a.deps.db.client.send(
        new UpdateItemCommand({
          TableName: a.deps.db.tableName,
          Key: { pk: { S: pk }, sk: { S: sk } },
          UpdateExpression: `REMOVE ${attrs.map((_, i) => `#a${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(attrs.map((n, i) => [`#a${i}`, n])),
        }),
      );
    const pkOf = async (collectionId: string) =>
      itemsPk(
        a.tenant,
        collectionId,
        (await requireCollection(a.deps.db, a.tenant, collectionId)).record.generation,
      );
    const cities = await requireCollection(a.deps.db, a.tenant, 'cities');
    const refsPk = referencesPk(a.tenant, 'cities', cities.record.generation);
    for (const id of ['paris', 'rome']) await strip(await pkOf('cities'), id, ['ct']);
    for (const id of ['eiffel', 'colosseum']) await strip(await pkOf('places'), id, ['ct']);
    for (const sk of ['pois#paris#eiffel', 'pois#rome#colosseum']) await strip(refsPk, sk, ['fc', 'dc']);
    const query = () =>
      a.call('/v3/items/query-referenced', { collectionId: 'cities', referringFieldKey: 'pois' });
    expect(pairsOf((await query()).body)).toEqual(['paris->eiffel', 'rome->colosseum']);
    // the old pair is still taken
    expect((await link(a, [['paris', 'eiffel']])).body.results[0].error.errorCode).toBe(
      'REFERENCE_ALREADY_EXISTS',
    );
    await dropItems(a, [['places', 'colosseum']]);
    await a.call('/v3/items/insert', { collectionId: 'places', items: [{ _id: 'colosseum', title: 'New' }] });
    expect(pairsOf((await query()).body)).toEqual(['paris->eiffel']);
  });
});

describe('includeReferencedItems is bounded by the rows returned', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(4, '0')}`);

  /** `quebec` (between paris and rome in _id order) holds `n` references; paris and rome one each. */
  async function crowded(a: TestAdaptor, n: number): Promise<void> {
    await world(a);
    await a.call('/v3/items/insert', { collectionId: 'cities', items: [{ _id: 'quebec', name: 'Quebec' }] });
    const ids = many(n);
    for (let i = 0; i < ids.length; i += 500) {
      await a.call('/v3/items/insert', {
        collectionId: 'places',
        items: ids.slice(i, i + 500).map((_id) => ({ _id, title: _id, stars: 1 })),
      });
      await link(
        a,
        ids.slice(i, i + 500).map((id): [string, string] => ['quebec', id]),
      );
    }
    await link(a, [
      ['paris', 'eiffel'],
      ['rome', 'colosseum'],
    ]);
  }

  it('reads no references of rows that are not on the page, and one item per row for limit 1', async () => {
    const a = createTestAdaptor({ deps: testDeps({ MEASURE_CAPACITY: 'true' }) });
    await crowded(a, 600);
    // paris and rome are returned; quebec lies between them in _id order but is filtered out
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: { filter: { _id: { $in: ['paris', 'rome'] } } },
      includeReferencedItems: [{ fieldKey: 'pois', limit: 1 }],
    });
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((i: { _id: string; pois: { _id: string }[] }) => [i._id, i.pois.map((p) => p._id)]),
    ).toEqual([
      ['paris', ['eiffel']],
      ['rome', ['colosseum']],
    ]);
    // before: one range Query from paris to rome also read quebec's 600 references
    expect(a.deps.db.stats.itemsRead).toBeLessThan(20);

    resetStats(a.deps.db.stats);
    const quebec = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: { filter: { _id: 'quebec' } },
      includeReferencedItems: [{ fieldKey: 'pois', limit: 2 }],
    });
    expect(quebec.body.items[0].pois).toHaveLength(2);
    // before: all 600 referenced items were fetched to keep two; now two item reads
    expect(a.deps.db.stats.requests.BatchGetItemCommand ?? 0).toBeLessThanOrEqual(1);
    expect(a.deps.db.stats.readUnits).toBeLessThan(60);
  });

  it('an include over the read budget is a 400 QUERY_TOO_EXPENSIVE, never a 500', async () => {
    const a = createTestAdaptor({ deps: testDeps({ QUERY_MAX_ITEMS_READ: '200' }) });
    await crowded(a, 600);
    const res = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: { filter: { _id: 'quebec' } },
      includeReferencedItems: [{ fieldKey: 'pois', limit: 50, filter: { title: 'nothing matches' } }],
    });
    expect([res.status, res.body.errorCode]).toEqual([400, 'QUERY_TOO_EXPENSIVE']);
    const referenced = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
      referringItemIds: ['quebec'],
      includeReferencedItems: true,
    });
    expect([referenced.status, referenced.body.errorCode]).toEqual([400, 'QUERY_TOO_EXPENSIVE']);
  });

  it('each referenced item is read once per field, however many rows point at it', async () => {
    const a = await world();
    await link(a, [
      ['paris', 'eiffel'],
      ['rome', 'eiffel'],
      ['lyon', 'eiffel'],
    ]);
    resetStats(a.deps.db.stats);
    const res = await a.call('/v3/items/query', {
      collectionId: 'cities',
      query: {},
      includeReferencedItems: [{ fieldKey: 'pois', limit: 5 }],
    });
    for (const row of res.body.items) expect(row.pois.map((p: { _id: string }) => p._id)).toEqual(['eiffel']);
    // three rows, one item: a single GetItem, no batch
    expect(a.deps.db.stats.requests.GetItemCommand ?? 0).toBeLessThanOrEqual(3);
    expect(a.deps.db.stats.requests.BatchGetItemCommand).toBeUndefined();
  });
});

/** Issue 10, item 10: a remove must not read every collection record of the tenant. */
describe('removing items in a tenant with many collections', () => {
  it('reads only the records that point at the collection, and still removes their references', async () => {
    const a = await world(createTestAdaptor({ deps: testDeps({ MEASURE_CAPACITY: 'true' }) }));
    // large unrelated collection records (about 6 KB each)
    for (let c = 0; c < 12; c++) {
      await a.call('/v3/collections/create', {
        collection: {
          id: `big-${c}`,
          fields: Array.from({ length: 60 }, (_, i) => ({
            key: `field_${i}_${'x'.repeat(40)}`,
            type: 'TEXT',
          })),
        },
      });
    }
    await link(a, [
      ['paris', 'eiffel'],
      ['paris', 'louvre'],
      ['rome', 'colosseum'],
    ]);
    await a.call('/v3/items/remove', { collectionId: 'places', itemIds: ['eiffel'] });
    resetStats(a.deps.db.stats);
    await a.call('/v3/items/remove', { collectionId: 'places', itemIds: ['louvre'] });
    // before: every remove listed all 15 collection records (over 10 read units here)
    expect(a.deps.db.stats.readUnits).toBeLessThan(8);
    const all = await a.call('/v3/items/query-referenced', {
      collectionId: 'cities',
      referringFieldKey: 'pois',
    });
    expect(pairsOf(all.body)).toEqual(['rome->colosseum']);
  });
});
