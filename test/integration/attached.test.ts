/**
 * Existing DynamoDB tables attached as collections, against DynamoDB Local: tables created by the test
 * as another program would, read through both protocols; read-only entries refuse every write and
 * change nothing; tenants not listed do not see them.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { resetStats } from '../../lambda/store/client';
import { createTestAdaptor, purgesIdle, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { createForeignTable, orderItems, ordersTable, putForeignItems } from '../helpers/foreignTables';

const SECRET = 'attached-secret-key-0123456789';
const ORDERS = `orders-${randomUUID()}`;
const PRODUCTS = `products-${randomUUID()}`;
const SITE = `site-${randomUUID()}`;
const OTHER = `other-${randomUUID()}`;
const N = 60;
const RAW = orderItems(N);

const deps = testDeps({
  WIX_SECRET_KEY: SECRET,
  ATTACH_TABLES: JSON.stringify([
    { table: ORDERS, collectionId: 'Orders', tenants: [SITE], fields: [{ key: 'note', type: 'RICH_TEXT' }] },
    { table: PRODUCTS, tenants: ['*'], access: 'readwrite', idAttribute: 'sku' },
  ]),
});
const a: TestAdaptor = createTestAdaptor({ deps, tenant: SITE });
const other: TestAdaptor = createTestAdaptor({ deps, tenant: OTHER });

/** The orders as the adaptor should show them (reference computed from the raw items). */
const expected = RAW.map((r) => ({
  customer: r.customer!.S!,
  orderNo: Number(r.orderNo!.N),
  status: r.status!.S!,
  total: Number(r.total!.N),
  _id: `S:${encodeURIComponent(r.customer!.S!)}/N:${r.orderNo!.N}`,
}));

beforeAll(async () => {
  await createForeignTable(deps.db.client, ordersTable(ORDERS));
  await putForeignItems(deps.db.client, ORDERS, RAW);
  await createForeignTable(deps.db.client, {
    TableName: PRODUCTS,
    AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
  });
  await putForeignItems(deps.db.client, PRODUCTS, [
    { sku: { S: 'p1' }, name: { S: 'Lamp' }, price: { N: '20' } },
    { sku: { S: 'p2' }, name: { S: 'Desk' }, price: { N: '150' } },
  ]);
}, 120_000);

const ids = (body: { items: { _id: string }[] }) => body.items.map((i) => i._id);
const query = (q: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  a.call('/v3/items/query', { collectionId: 'Orders', query: q, ...extra });

describe('listing', () => {
  it('shows the table with fields inferred from its keys and items, overrides applied', async () => {
    const res = await a.call('/v3/collections/get', { collectionIds: ['Orders'] });
    expect(res.status).toBe(200);
    const [c] = res.body.collections;
    const types = Object.fromEntries(c.fields.map((f: { key: string; type: string }) => [f.key, f.type]));
    expect(types).toEqual({
      _id: 'TEXT',
      big: 'NUMBER',
      blob: 'TEXT',
      customer: 'TEXT',
      lines: 'ARRAY',
      meta: 'OBJECT',
      note: 'RICH_TEXT',
      orderNo: 'NUMBER',
      paid: 'BOOLEAN',
      placedAt: 'DATETIME',
      scores: 'ARRAY',
      status: 'TEXT',
      tags: 'ARRAY_STRING',
      total: 'NUMBER',
    });
    expect(c.capabilities.dataOperations).toEqual(['QUERY', 'COUNT', 'AGGREGATE', 'DISTINCT']);
  });

  it('lists it among all collections, for the listed tenant only', async () => {
    const mine = await a.call('/v3/collections/get', {});
    expect(mine.body.collections.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining(['Orders', PRODUCTS]),
    );
    const theirs = await other.call('/v3/collections/get', {});
    expect(theirs.body.collections.map((c: { id: string }) => c.id)).not.toContain('Orders');
    expect(theirs.body.collections.map((c: { id: string }) => c.id)).toContain(PRODUCTS);
  });

  it('appears in the legacy /schemas/list with read operations only', async () => {
    const res = await a.legacy('/schemas/list');
    expect(res.status).toBe(200);
    const orders = res.body.schemas.find((s: { id: string }) => s.id === 'Orders');
    expect(orders.allowedOperations).toEqual(['get', 'find', 'count']);
    expect(orders.fields.placedAt.type).toBe('datetime');
    const theirs = await other.legacy('/schemas/list');
    expect(theirs.body.schemas.map((s: { id: string }) => s.id)).not.toContain('Orders');
  });

  it('shows the read-write rule: a single string key mapped by idAttribute carries the system fields', async () => {
    const res = await a.call('/v3/collections/get', { collectionIds: [PRODUCTS] });
    const [c] = res.body.collections;
    expect(c.fields.map((f: { key: string }) => f.key)).toEqual([
      '_id',
      '_createdDate',
      '_updatedDate',
      '_owner',
      'name',
      'price',
    ]);
  });

  it('is not found for a tenant not listed', async () => {
    const res = await other.call('/v3/items/query', { collectionId: 'Orders', query: {} });
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('COLLECTION_NOT_FOUND');
    expect((await other.legacy('/data/find', { collectionName: 'Orders' })).status).toBe(404);
  });
});

describe('reads', () => {
  it('reads values other software wrote without an error', async () => {
    const res = await query({ filter: { _id: expected[3]!._id } });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        _id: expected[3]!._id,
        customer: 'cust#3',
        orderNo: 1003,
        status: 'new',
        placedAt: { $date: '2024-01-04T00:00:00.000Z' },
        total: 111,
        paid: false,
        tags: ['a', 'b'],
        scores: [1, 2.5],
        blob: Buffer.from([3, 1, 2]).toString('base64'),
        big: '12345678901234567890',
        lines: [{ sku: 'x', qty: 2 }],
        meta: { source: 'erp' },
        note: 'note 3',
      },
    ]);
  });

  it('answers an _id lookup with one GetItem, and the _id opens the item again', async () => {
    resetStats(deps.db.stats);
    const res = await query({ filter: { _id: expected[10]!._id } });
    expect(ids(res.body)).toEqual([expected[10]!._id]);
    expect(deps.db.stats.requests).toEqual({ GetItemCommand: 1 });
    const several = await query({
      filter: { _id: { $in: [expected[1]!._id, expected[2]!._id, 'S:x/N:1', 'junk'] } },
    });
    expect(ids(several.body).sort()).toEqual([expected[1]!._id, expected[2]!._id].sort());
  });

  it('serves partition-key equality and a sort-key range with a Query on the table', async () => {
    resetStats(deps.db.stats);
    const res = await query({
      filter: { customer: 'cust#2', orderNo: { $gte: 1020, $lt: 1040 } },
      sort: [{ fieldName: 'orderNo', order: 'DESC' }],
    });
    const want = expected
      .filter((e) => e.customer === 'cust#2' && e.orderNo >= 1020 && e.orderNo < 1040)
      .sort((x, y) => y.orderNo - x.orderNo)
      .map((e) => e._id);
    expect(ids(res.body)).toEqual(want);
    expect(deps.db.stats.requests).toEqual({ QueryCommand: 1 });
    expect(deps.db.stats.itemsRead).toBe(want.length);
  });

  it('uses a GSI whose key matches, but not for consistentRead', async () => {
    resetStats(deps.db.stats);
    const res = await query({ filter: { status: 'paid' }, paging: { limit: 100 } });
    const want = expected.filter((e) => e.status === 'paid');
    expect(res.body.items).toHaveLength(want.length);
    expect(deps.db.stats.requests).toEqual({ QueryCommand: 1 });
    expect(deps.db.stats.itemsRead).toBe(want.length);

    resetStats(deps.db.stats);
    const consistent = await query(
      { filter: { status: 'paid' }, paging: { limit: 100 } },
      { consistentRead: true },
    );
    expect(ids(consistent.body).sort()).toEqual(ids(res.body).sort());
    expect(deps.db.stats.requests).toEqual({ ScanCommand: 1 });
  });

  it('scans with a FilterExpression otherwise, sorting and paging by offset with exact totals', async () => {
    const want = expected
      .filter((e) => e.total >= 200)
      .sort((x, y) => y.total - x.total || (x._id < y._id ? -1 : 1))
      .map((e) => e._id);
    const page = (offset: number) =>
      query(
        {
          filter: { total: { $gte: 200 } },
          sort: [{ fieldName: 'total', order: 'DESC' }],
          paging: { limit: 7, offset },
        },
        { returnTotalCount: true },
      );
    const first = await page(0);
    const second = await page(7);
    expect([...ids(first.body), ...ids(second.body)]).toEqual(want.slice(0, 14));
    expect(first.body.pagingMetadata.total).toBe(want.length);
  });

  it('pages with cursors to the end, each item once', async () => {
    const seen: string[] = [];
    let res = await query({ filter: { status: { $ne: 'new' } }, cursorPaging: { limit: 9 } });
    for (;;) {
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      const cursor = res.body.pagingMetadata.cursors?.next;
      if (!cursor) break;
      res = await a.call('/v3/items/query', { collectionId: 'Orders', query: { cursorPaging: { cursor } } });
    }
    expect(seen).toEqual(
      expected
        .filter((e) => e.status !== 'new')
        .map((e) => e._id)
        .sort(),
    );
  });

  it('filters on dates kept as ISO strings', async () => {
    const res = await query({ filter: { placedAt: { $lt: { $date: '2024-01-05T00:00:00.000Z' } } } });
    expect(ids(res.body)).toEqual(
      expected
        .slice(0, 4)
        .map((e) => e._id)
        .sort(),
    );
  });

  it('counts, aggregates and lists distinct values', async () => {
    const count = await a.call('/v3/items/count', { collectionId: 'Orders', filter: { paid: true } });
    expect(count.body.totalCount).toBe(N / 2);
    const agg = await a.call('/v3/items/aggregate', {
      collectionId: 'Orders',
      initialFilter: { customer: 'cust#1' },
      aggregation: {
        groupingFields: ['status'],
        operations: [{ resultFieldName: 'sum', sum: { itemFieldName: 'total' } }],
      },
    });
    const sums = new Map<string, number>();
    for (const e of expected.filter((x) => x.customer === 'cust#1'))
      sums.set(e.status, (sums.get(e.status) ?? 0) + e.total);
    expect(agg.status).toBe(200);
    expect(
      Object.fromEntries(agg.body.items.map((r: { status: string; sum: number }) => [r.status, r.sum])),
    ).toEqual(Object.fromEntries(sums));
    const distinct = await a.call('/v3/items/query-distinct-values', {
      collectionId: 'Orders',
      fieldName: 'status',
    });
    expect(distinct.body.distinctValues).toEqual(['new', 'paid', 'shipped']);
  });

  it('answers the legacy /data/find and /data/get', async () => {
    const found = await a.legacy('/data/find', {
      collectionName: 'Orders',
      filter: { operator: '$eq', fieldName: 'customer', value: 'cust#4' },
      sort: [{ fieldName: 'orderNo', direction: 'asc' }],
      skip: 0,
      limit: 3,
    });
    expect(found.status).toBe(200);
    expect(ids(found.body)).toEqual(
      expected
        .filter((e) => e.customer === 'cust#4')
        .slice(0, 3)
        .map((e) => e._id),
    );
    expect(found.body.totalCount).toBe(N / 5);
    const got = await a.legacy('/data/get', { collectionName: 'Orders', itemId: expected[4]!._id });
    expect(got.status).toBe(200);
    expect(got.body.item.orderNo).toBe(1004);
  });
});

describe('read-only', () => {
  async function rawCount(): Promise<number> {
    const out = await deps.db.client.send(new ScanCommand({ TableName: ORDERS, Select: 'COUNT' }));
    return out.Count ?? 0;
  }

  it.each([
    ['/v3/items/insert', { collectionId: 'Orders', items: [{ customer: 'cust#9', orderNo: 1 }] }],
    ['/v3/items/update', { collectionId: 'Orders', items: [{ _id: 'S:cust%230/N:1000', total: 1 }] }],
    ['/v3/items/remove', { collectionId: 'Orders', itemIds: ['S:cust%230/N:1000'] }],
    ['/v3/items/truncate', { collectionId: 'Orders' }],
  ])('refuses %s with a 4xx that says why, changing nothing', async (path, body) => {
    const res = await a.call(path, body);
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('UNSUPPORTED_OPERATION');
    expect(res.body.errorMessage).toMatch(
      /existing table .* attached read-only \(its entry has access "read"\)/,
    );
    expect(await rawCount()).toBe(N);
    const item = await query({ filter: { _id: 'S:cust%230/N:1000' } });
    expect(item.body.items[0].total).toBe(0);
  });

  it('refuses legacy writes too', async () => {
    const res = await a.legacy('/data/insert', {
      collectionName: 'Orders',
      item: { customer: 'x', orderNo: 5 },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/read-only/);
    expect(await rawCount()).toBe(N);
  });

  it('refuses collection changes and never re-creates the table', async () => {
    const update = await a.call('/v3/collections/update', { collection: { id: 'Orders', fields: [] } });
    expect(update.body.errorCode).toBe('COLLECTION_CHANGE_NOT_SUPPORTED');
    const del = await a.call('/v3/collections/delete', { collectionId: 'Orders' });
    expect(del.body.errorCode).toBe('COLLECTION_CHANGE_NOT_SUPPORTED');
    const create = await a.call('/v3/collections/create', { collection: { id: 'Orders', fields: [] } });
    expect(create.body.errorCode).toBe('COLLECTION_ALREADY_EXISTS');
    const addField = await a.legacy('/schemas/column/add', {
      collectionName: 'Orders',
      column: { name: 'x', type: 'text' },
    });
    expect(addField.status).toBe(400);
    expect(await rawCount()).toBe(N);
  });
});

describe('read-write (a single string key mapped by idAttribute)', () => {
  const products = (body: Record<string, unknown>) =>
    a.call(`/v3/items/${body.path}`, { collectionId: PRODUCTS, ...(body.request as object) });
  const rawGet = async (sku: string) =>
    (
      await deps.db.client.send(
        new GetItemCommand({ TableName: PRODUCTS, Key: { sku: { S: sku } }, ConsistentRead: true }),
      )
    ).Item;
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

  it('advertises every operation', async () => {
    const res = await a.call('/v3/collections/get', { collectionIds: [PRODUCTS] });
    expect(res.body.collections[0].capabilities.dataOperations).toEqual(
      expect.arrayContaining(['QUERY', 'COUNT', 'INSERT', 'UPDATE', 'REMOVE', 'TRUNCATE']),
    );
  });

  it('inserts with the key attribute as _id and the system fields as ISO strings other software can read', async () => {
    const res = await products({
      path: 'insert',
      request: {
        items: [
          { _id: 'p9', name: 'Chair', price: 45 },
          { _id: 'p1', name: 'dup' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const [ok, dup] = res.body.results;
    expect(ok.item).toMatchObject({
      _id: 'p9',
      name: 'Chair',
      price: 45,
      _createdDate: { $date: expect.stringMatching(ISO) },
    });
    expect(dup.error.errorCode).toBe('ITEM_ALREADY_EXISTS');
    const raw = await rawGet('p9');
    expect(raw).toEqual({
      sku: { S: 'p9' },
      name: { S: 'Chair' },
      price: { N: '45' },
      _createdDate: { S: expect.stringMatching(ISO) },
      _updatedDate: { S: expect.stringMatching(ISO) },
      ...(raw?._owner ? { _owner: raw._owner } : {}),
    });
    expect((await rawGet('p1'))!.name).toEqual({ S: 'Lamp' });
  });

  it('round-trips values it does not edit unchanged through update', async () => {
    await deps.db.client.send(
      new PutItemCommand({
        TableName: PRODUCTS,
        Item: {
          sku: { S: 'p7' },
          name: { S: 'Shelf' },
          price: { N: '80' },
          tags: { SS: ['oak', 'wall'] },
          sizes: { NS: ['1', '2'] },
          blob: { B: Buffer.from([9, 8, 7]) },
          big: { N: '12345678901234567890' },
          when: { S: '2024-05-01T10:00:00Z' },
        },
      }),
    );
    const read = await a.call('/v3/items/query', {
      collectionId: PRODUCTS,
      query: { filter: { _id: 'p7' } },
    });
    const item = read.body.items[0];
    expect(item.big).toBe('12345678901234567890');
    const res = await products({ path: 'update', request: { items: [{ ...item, price: 85 }] } });
    expect(res.status).toBe(200);
    expect(res.body.results[0].item.price).toBe(85);
    const raw = await rawGet('p7');
    expect(raw).toMatchObject({
      price: { N: '85' },
      tags: { SS: ['oak', 'wall'] },
      sizes: { NS: ['1', '2'] },
      blob: { B: new Uint8Array([9, 8, 7]) },
      big: { N: '12345678901234567890' },
      when: { S: '2024-05-01T10:00:00Z' },
      _updatedDate: { S: expect.stringMatching(ISO) },
    });
    const missing = await products({ path: 'update', request: { items: [{ _id: 'nope', name: 'x' }] } });
    expect(missing.body.results[0].error.errorCode).toBe('ITEM_NOT_FOUND');
    expect(await rawGet('nope')).toBeUndefined();
  });

  it('removes, also through the legacy protocol', async () => {
    const res = await products({ path: 'remove', request: { itemIds: ['p2'] } });
    expect(res.body.results[0].item).toMatchObject({ _id: 'p2', name: 'Desk' });
    expect(await rawGet('p2')).toBeUndefined();
    const inserted = await a.legacy('/data/insert', {
      collectionName: PRODUCTS,
      item: { _id: 'p8', name: 'Rug' },
    });
    expect(inserted.status).toBe(200);
    expect((await rawGet('p8'))!.name).toEqual({ S: 'Rug' });
    const removed = await a.legacy('/data/remove', { collectionName: PRODUCTS, itemId: 'p8' });
    expect(removed.status).toBe(200);
    expect(await rawGet('p8')).toBeUndefined();
  });

  it('is governed by the legacy roles like an own collection (default policy: admins write)', async () => {
    const visitorInsert = await a.legacy(
      '/data/insert',
      { collectionName: PRODUCTS, item: { _id: 'p-visitor', name: 'Vase' } },
      { role: 'VISITOR' },
    );
    expect(visitorInsert.status).toBe(403);
    expect(await rawGet('p-visitor')).toBeUndefined();
    const before = await rawGet('p1');
    expect(before).toBeDefined();
    const memberRemove = await a.legacy(
      '/data/remove',
      { collectionName: PRODUCTS, itemId: 'p1' },
      { role: 'MEMBER' },
    );
    expect(memberRemove.status).toBe(403);
    expect(await rawGet('p1')).toEqual(before);
  });

  it('truncates by deleting every item in the background, keeping the table', async () => {
    const res = await products({ path: 'truncate', request: {} });
    expect(res.status).toBe(200);
    await purgesIdle(a);
    const left = await deps.db.client.send(new ScanCommand({ TableName: PRODUCTS, Select: 'COUNT' }));
    expect(left.Count).toBe(0);
    const table = await deps.db.client.send(new DescribeTableCommand({ TableName: PRODUCTS }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'sku', KeyType: 'HASH' }]);
  });
});

describe('an attached id that hides an own collection of the same id', () => {
  const TABLE = `shadow-${randomUUID()}`;
  const TENANT = `shadow-site-${randomUUID()}`;
  const plain = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: SECRET }), tenant: TENANT });
  const attaching = createTestAdaptor({
    deps: testDeps({
      WIX_SECRET_KEY: SECRET,
      ATTACH_TABLES: JSON.stringify([
        { table: TABLE, collectionId: 'Shadow', tenants: [TENANT], access: 'readwrite', idAttribute: 'sku' },
      ]),
    }),
    tenant: TENANT,
  });

  beforeAll(async () => {
    await createForeignTable(deps.db.client, {
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
    });
    await putForeignItems(deps.db.client, TABLE, [{ sku: { S: 's1' }, name: { S: 'Kept' } }]);
    // Made before the table was attached, with permissions that let anyone write.
    const created = await plain.call('/v3/collections/create', {
      collection: {
        id: 'Shadow',
        fields: [{ key: 'name', type: 'TEXT' }],
        permissions: { read: 'ANYONE', insert: 'ANYONE', update: 'ANYONE', remove: 'ANYONE' },
      },
    });
    expect(created.status).toBe(200);
  }, 120_000);

  it("does not lend the hidden collection's permissions to the attached table", async () => {
    const raw = (sku: string) =>
      deps.db.client.send(
        new GetItemCommand({ TableName: TABLE, Key: { sku: { S: sku } }, ConsistentRead: true }),
      );
    const insert = await attaching.legacy(
      '/data/insert',
      { collectionName: 'Shadow', item: { _id: 's2', name: 'Planted' } },
      { role: 'VISITOR' },
    );
    expect(insert.status).toBe(403);
    expect((await raw('s2')).Item).toBeUndefined();
    const remove = await attaching.legacy(
      '/data/remove',
      { collectionName: 'Shadow', itemId: 's1' },
      { role: 'VISITOR' },
    );
    expect(remove.status).toBe(403);
    expect((await raw('s1')).Item).toBeDefined();
    // the owner still writes it
    const owner = await attaching.legacy('/data/insert', {
      collectionName: 'Shadow',
      item: { _id: 's3', name: 'Ok' },
    });
    expect(owner.status).toBe(200);
    expect((await raw('s3')).Item?.name).toEqual({ S: 'Ok' });
  });
});
