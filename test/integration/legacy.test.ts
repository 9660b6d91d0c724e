/**
 * The legacy (secret key) protocol against DynamoDB Local through dispatch: every endpoint in both
 * filter dialects, auth, the {message} error edge, tenancy, and V3 <-> legacy round trips.
 */
import { randomUUID } from 'node:crypto';
import { resetStats, totalRequests } from '../../lambda/store/client';
import { ROUTES } from '../../lambda/routes';
import {
  createTestAdaptor,
  purgesIdle,
  testDeps,
  type CallResult,
  type TestAdaptor,
} from '../helpers/adaptor';

const SECRET = `legacy-secret-${randomUUID()}`;
const deps = testDeps({ WIX_SECRET_KEY: SECRET });
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every legacy path the tests drove, checked against the route table at the end. */
const driven = new Set<string>();
function legacy<T = any>(
  a: TestAdaptor,
  path: string,
  body: Record<string, unknown> = {},
  options: { tenant?: string } = {},
): Promise<CallResult<T>> {
  driven.add(path);
  return a.legacy<T>(path, body, options);
}

const FIELDS = [
  { key: 'make', type: 'TEXT' },
  { key: 'year', type: 'NUMBER' },
  { key: 'added', type: 'DATETIME' },
  { key: 'electric', type: 'BOOLEAN' },
  { key: 'tags', type: 'ARRAY_STRING' },
  { key: 'site', type: 'URL' },
  { key: 'specs', type: 'OBJECT' },
];

const CARS = [
  { _id: 'c1', make: 'Ford', year: 2017, added: { $date: '2020-01-01T10:00:00.000Z' }, electric: false },
  { _id: 'c2', make: 'BMW', year: 2019, added: { $date: '2021-06-01T10:00:00.000Z' }, electric: true },
  { _id: 'c3', make: 'Audi', year: 2021, added: { $date: '2022-03-01T10:00:00.000Z' }, electric: true },
  { _id: 'c4', make: 'Tesla', year: 2021, added: { $date: '2023-01-01T10:00:00.000Z' }, electric: true },
  { _id: 'c5', make: 'Fiat', year: 0, added: { $date: '2019-01-01T10:00:00.000Z' }, electric: false },
];

async function withCars(): Promise<TestAdaptor> {
  const a = createTestAdaptor({ deps });
  expect(
    (await a.call('/v3/collections/create', { collection: { id: 'cars', fields: FIELDS } })).status,
  ).toBe(200);
  const res = await legacy(a, '/data/insert/bulk', { collectionName: 'cars', items: CARS });
  expect(res.status).toBe(200);
  return a;
}

const ids = (body: { items: { _id: string }[] }) => body.items.map((i) => i._id);

describe('provision', () => {
  it('answers protocol version 2 with the secret key', async () => {
    const a = createTestAdaptor({ deps });
    const res = await legacy(a, '/provision');
    expect(res).toEqual({
      status: 200,
      body: { type: 'dynamodb', vendor: 'aws', protocolVersion: 2, adapterVersion: 'v2' },
    });
  });

  it('accepts the docs example (settings and installationId only), even with a tenant allow-list', async () => {
    const a = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: SECRET, ALLOWED_TENANTS: 'site-a' }) });
    const body = JSON.stringify({
      requestContext: { settings: { secretKey: SECRET }, installationId: 'i-1' },
    });
    const res = await a.raw('/provision', body);
    expect(res.status).toBe(200);
    expect(res.body.protocolVersion).toBe(2);
  });

  it('refuses a wrong secret key with 401 {message}', async () => {
    const a = createTestAdaptor({ deps });
    const res = await legacy(a, '/provision', { requestContext: { settings: { secretKey: 'nope' } } });
    expect(res.status).toBe(401);
    expect(Object.keys(res.body)).toEqual(['message']);
  });
});

describe('authentication', () => {
  const attempts: [string, string][] = [
    ['no requestContext', JSON.stringify({ collectionName: 'cars' })],
    ['no settings', JSON.stringify({ requestContext: { instanceId: 'x' }, collectionName: 'cars' })],
    ['no secretKey', JSON.stringify({ requestContext: { settings: {} }, collectionName: 'cars' })],
    ['a wrong secretKey', JSON.stringify({ requestContext: { settings: { secretKey: 'wrong' } } })],
    [
      'a prefix of the secretKey',
      JSON.stringify({ requestContext: { settings: { secretKey: SECRET.slice(0, -1) } } }),
    ],
    ['a non-string secretKey', JSON.stringify({ requestContext: { settings: { secretKey: 42 } } })],
    ['an empty body', ''],
  ];

  it.each(attempts)('refuses %s with 401 {message} and no I/O', async (_name, body) => {
    const a = createTestAdaptor({ deps });
    resetStats(deps.db.stats);
    for (const path of ['/data/find', '/data/insert', '/schemas/list', '/data/truncate']) {
      const res = await a.raw(path, body);
      expect(res.status).toBe(401);
      expect(Object.keys(res.body)).toEqual(['message']);
      expect(res.body.message).toMatch(/^Authorization failed/);
    }
    expect(totalRequests(deps.db.stats)).toBe(0);
  });

  it('refuses everything when no secret key is configured', async () => {
    const unconfigured = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: '' }) });
    resetStats(unconfigured.deps.db.stats);
    const res = await unconfigured.raw(
      '/schemas/list',
      JSON.stringify({ requestContext: { settings: { secretKey: '' } } }),
    );
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/no secret key is configured/);
    const provision = await unconfigured.raw(
      '/provision',
      JSON.stringify({ requestContext: { settings: { secretKey: 'anything' } } }),
    );
    expect(provision.status).toBe(401);
    expect(totalRequests(unconfigured.deps.db.stats)).toBe(0);
  });

  it('answers a body that is not JSON with 400 {message}', async () => {
    const a = createTestAdaptor({ deps });
    const res = await a.raw('/data/find', '{not json');
    expect(res).toEqual({ status: 400, body: { message: 'the body is not valid JSON' } });
  });

  it('applies the tenant allow-list to the V3 instance a site secret is bound to', async () => {
    const a = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: SECRET, ALLOWED_TENANTS: 'site-a' }) });
    const refused = await legacy(a, '/schemas/list', {}, { tenant: 'site-b' });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/not allowed/);
    expect((await legacy(a, '/schemas/list', {}, { tenant: 'site-a' })).status).toBe(200);
  });
});

describe('schemas', () => {
  it('creates a collection with the four system fields, and refuses a second one (409)', async () => {
    const a = createTestAdaptor({ deps });
    expect(await legacy(a, '/schemas/create', { collectionName: 'cars' })).toEqual({ status: 200, body: {} });
    const again = await legacy(a, '/schemas/create', { collectionName: 'cars' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: 'Collection cars already exists' });
    const found = await legacy(a, '/schemas/find', { schemaIds: ['cars'] });
    expect(Object.keys(found.body.schemas[0].fields)).toEqual([
      '_id',
      '_createdDate',
      '_updatedDate',
      '_owner',
    ]);
    const bad = await legacy(a, '/schemas/create', { collectionName: '.hidden' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/collectionName/);
  });

  it('describes collections in the legacy schema shape', async () => {
    const a = createTestAdaptor({ deps });
    await a.call('/v3/collections/create', {
      collection: { id: 'cars', displayName: 'Cars', fields: FIELDS },
    });
    const res = await legacy(a, '/schemas/find', { schemaIds: ['cars'] });
    expect(res.status).toBe(200);
    const [schema] = res.body.schemas;
    expect(schema).toMatchObject({
      id: 'cars',
      displayName: 'Cars',
      allowedOperations: [
        'get',
        'find',
        'count',
        'insert',
        'update',
        'remove',
        'bulkInsert',
        'bulkUpdate',
        'bulkRemove',
      ],
      maxPageSize: 1000,
      ttl: 300,
    });
    const f = schema.fields;
    expect(f._id).toEqual({
      displayName: 'ID',
      type: 'text',
      queryOperators: [
        'eq',
        'ne',
        'lt',
        'lte',
        'gt',
        'gte',
        'hasSome',
        'startsWith',
        'endsWith',
        'contains',
        'urlized',
        'matches',
        'isEmpty',
        'isNotEmpty',
      ],
    });
    expect(f._createdDate.type).toBe('datetime');
    expect(f.make.type).toBe('text');
    expect(f.make.displayName).toBe('make');
    expect(f.year).toEqual({
      displayName: 'year',
      type: 'number',
      queryOperators: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'hasSome', 'isEmpty', 'isNotEmpty'],
    });
    expect(f.added.type).toBe('datetime');
    expect(f.electric.type).toBe('boolean');
    expect(f.tags).toEqual({
      displayName: 'tags',
      type: 'object',
      queryOperators: ['eq', 'ne', 'hasSome', 'isEmpty', 'isNotEmpty'],
    });
    expect(f.site.type).toBe('url');
    expect(f.specs).toEqual({
      displayName: 'specs',
      type: 'object',
      queryOperators: ['eq', 'ne', 'isEmpty', 'isNotEmpty'],
    });
  });

  it('lists every collection of the tenant, in full and as headers', async () => {
    const a = createTestAdaptor({ deps });
    for (const id of ['a', 'b']) await legacy(a, '/schemas/create', { collectionName: id });
    const list = await legacy(a, '/schemas/list');
    expect(list.body.schemas.map((s: { id: string }) => s.id)).toEqual(['a', 'b']);
    expect(list.body.schemas[0].fields._id.type).toBe('text');
    const headers = await legacy(a, '/schemas/list/headers');
    expect(headers.body).toEqual({
      schemas: [
        { id: 'a', displayName: 'a', maxPageSize: 1000, ttl: 300 },
        { id: 'b', displayName: 'b', maxPageSize: 1000, ttl: 300 },
      ],
    });
  });

  it('finds the known ids, 404 when none is known, 400 without ids', async () => {
    const a = createTestAdaptor({ deps });
    await legacy(a, '/schemas/create', { collectionName: 'known' });
    const some = await legacy(a, '/schemas/find', { schemaIds: ['known', 'unknown'] });
    expect(some.body.schemas.map((s: { id: string }) => s.id)).toEqual(['known']);
    const none = await legacy(a, '/schemas/find', { schemaIds: ['unknown'] });
    expect(none).toEqual({ status: 404, body: { message: 'Collection unknown not found' } });
    expect((await legacy(a, '/schemas/find', {})).status).toBe(400);
  });

  it('adds and removes columns', async () => {
    const a = createTestAdaptor({ deps });
    await legacy(a, '/schemas/create', { collectionName: 'cars' });
    const added = await legacy(a, '/schemas/column/add', {
      collectionName: 'cars',
      column: { name: 'price', type: 'number', subtype: 'decimal', precision: '10,2', isPrimary: false },
    });
    expect(added).toEqual({ status: 200, body: {} });
    await legacy(a, '/schemas/column/add', {
      collectionName: 'cars',
      column: { name: 'seen', type: 'datetime' },
    });
    let schema = (await legacy(a, '/schemas/find', { schemaIds: ['cars'] })).body.schemas[0];
    expect(schema.fields.price.type).toBe('number');
    expect(schema.fields.seen.type).toBe('datetime');
    // V3 sees the same collection
    const v3 = await a.call('/v3/collections/get', { collectionIds: ['cars'] });
    expect(v3.body.collections[0].fields.map((f: { key: string }) => f.key)).toContain('price');

    const dup = await legacy(a, '/schemas/column/add', {
      collectionName: 'cars',
      column: { name: 'price', type: 'text' },
    });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toMatch(/already has a field price/);
    const system = await legacy(a, '/schemas/column/add', {
      collectionName: 'cars',
      column: { name: '_owner', type: 'text' },
    });
    expect(system).toEqual({ status: 400, body: { message: 'Cannot modify system field _owner' } });
    const badType = await legacy(a, '/schemas/column/add', {
      collectionName: 'cars',
      column: { name: 'x', type: 'float' },
    });
    expect(badType.status).toBe(400);
    const noColumn = await legacy(a, '/schemas/column/add', { collectionName: 'cars' });
    expect(noColumn.status).toBe(400);
    const missing = await legacy(a, '/schemas/column/add', {
      collectionName: 'nope',
      column: { name: 'x', type: 'text' },
    });
    expect(missing.status).toBe(404);

    const removed = await legacy(a, '/schemas/column/remove', {
      collectionName: 'cars',
      columnName: 'price',
    });
    expect(removed).toEqual({ status: 200, body: {} });
    schema = (await legacy(a, '/schemas/find', { schemaIds: ['cars'] })).body.schemas[0];
    expect(schema.fields.price).toBeUndefined();
    const again = await legacy(a, '/schemas/column/remove', { collectionName: 'cars', columnName: 'price' });
    expect(again).toEqual({ status: 404, body: { message: 'Collection cars has no field price' } });
    const sys = await legacy(a, '/schemas/column/remove', { collectionName: 'cars', columnName: '_id' });
    expect(sys.status).toBe(400);
  });
});

describe('data/find', () => {
  const v1 = {
    operator: '$and',
    value: [
      { operator: '$gt', fieldName: 'year', value: 2018 },
      { operator: '$eq', fieldName: 'electric', value: true },
    ],
  };
  const v2 = { $and: [{ year: { $gt: 2018 } }, { electric: { $eq: true } }] };

  it.each([
    ['v1', v1],
    ['v2', v2],
  ])('filters (%s), sorts, pages and counts every match', async (_dialect, filter) => {
    const a = await withCars();
    const res = await legacy(a, '/data/find', {
      collectionName: 'cars',
      filter,
      sort: [
        { fieldName: 'year', direction: 'desc' },
        { fieldName: 'make', direction: 'ASC' },
      ],
      skip: 0,
      limit: 2,
    });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['c3', 'c4']);
    expect(res.body.totalCount).toBe(3);
    const next = await legacy(a, '/data/find', {
      collectionName: 'cars',
      filter,
      sort: [{ fieldName: 'year', direction: 'desc' }],
      skip: 2,
      limit: 2,
    });
    expect(ids(next.body)).toEqual(['c2']);
    expect(next.body.totalCount).toBe(3);
  });

  it.each<[string, unknown, unknown, string[]]>([
    [
      'contains (case-insensitive)',
      { operator: '$contains', fieldName: 'make', value: 'T' },
      { make: { $contains: 'T' } },
      ['c4', 'c5'],
    ],
    [
      'startsWith',
      { operator: '$startsWith', fieldName: 'make', value: 'f' },
      { make: { $startsWith: 'f' } },
      ['c1', 'c5'],
    ],
    [
      'endsWith',
      { operator: '$endsWith', fieldName: 'make', value: 'W' },
      { make: { $endsWith: 'W' } },
      ['c2'],
    ],
    [
      'hasSome',
      { operator: '$hasSome', fieldName: 'make', value: ['BMW', 'Fiat'] },
      { make: { $hasSome: ['BMW', 'Fiat'] } },
      ['c2', 'c5'],
    ],
    ['ne', { operator: '$ne', fieldName: 'year', value: 2021 }, { year: { $ne: 2021 } }, ['c1', 'c2', 'c5']],
    [
      'lte 0 (zero is a value)',
      { operator: '$lte', fieldName: 'year', value: 0 },
      { year: { $lte: 0 } },
      ['c5'],
    ],
    [
      'dates as {$date}',
      { operator: '$gte', fieldName: 'added', value: { $date: '2022-01-01T00:00:00.000Z' } },
      { added: { $gte: { $date: '2022-01-01T00:00:00.000Z' } } },
      ['c3', 'c4'],
    ],
    [
      'or',
      {
        operator: '$or',
        value: [
          { operator: '$eq', fieldName: 'make', value: 'Ford' },
          { operator: '$lt', fieldName: 'year', value: 2017 },
        ],
      },
      { $or: [{ make: 'Ford' }, { year: { $lt: 2017 } }] },
      ['c1', 'c5'],
    ],
    [
      'not',
      { operator: '$not', value: [{ operator: '$eq', fieldName: 'electric', value: true }] },
      { $not: [{ electric: { $eq: true } }] },
      ['c1', 'c5'],
    ],
    ['_id equality', { operator: '$eq', fieldName: '_id', value: 'c2' }, { _id: { $eq: 'c2' } }, ['c2']],
    [
      'a bare ISO string on _createdDate is a date',
      { operator: '$gte', fieldName: '_createdDate', value: '2000-01-01T00:00:00Z' },
      { _createdDate: { $gte: '2000-01-01T00:00:00Z' } },
      ['c1', 'c2', 'c3', 'c4', 'c5'],
    ],
    ['no filter', '', {}, ['c1', 'c2', 'c3', 'c4', 'c5']],
  ])('%s: v1 and v2 find the same items', async (_name, f1, f2, expected) => {
    const a = await withCars();
    for (const filter of [f1, f2]) {
      const res = await legacy(a, '/data/find', { collectionName: 'cars', filter, skip: 0, limit: 50 });
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual(expected);
      expect(res.body.totalCount).toBe(expected.length);
      const count = await legacy(a, '/data/count', { collectionName: 'cars', filter });
      expect(count).toEqual({ status: 200, body: { totalCount: expected.length } });
    }
  });

  it('projects, omits the total on request, defaults skip/limit and clamps huge limits', async () => {
    const a = await withCars();
    const projected = await legacy(a, '/data/find', {
      collectionName: 'cars',
      filter: { _id: { $eq: 'c1' } },
      projection: ['make'],
      omitTotalCount: true,
    });
    expect(projected.body).toEqual({ items: [{ _id: 'c1', make: 'Ford' }] });
    // the docs' example asks for 10,000: clamped to maxPageSize, the total still says how many match
    const all = await legacy(a, '/data/find', {
      collectionName: 'cars',
      filter: null,
      sort: '',
      skip: 0,
      limit: 10000,
    });
    expect(all.body.items).toHaveLength(5);
    expect(all.body.totalCount).toBe(5);
    const defaults = await legacy(a, '/data/find', { collectionName: 'cars' });
    expect(defaults.body.items).toHaveLength(5);
  });

  it('answers errors in the legacy shape', async () => {
    const a = await withCars();
    const unknown = await legacy(a, '/data/find', { collectionName: 'nope', filter: '' });
    expect(unknown).toEqual({ status: 404, body: { message: 'Collection nope not found' } });
    const badOp = await legacy(a, '/data/find', {
      collectionName: 'cars',
      filter: { operator: '$foo', fieldName: 'make', value: 1 },
    });
    expect(badOp.status).toBe(400);
    expect(badOp.body).toEqual({ message: expect.stringMatching(/Unrecognized operator \$foo/) });
    const badV2 = await legacy(a, '/data/count', {
      collectionName: 'cars',
      filter: { make: { $regex: 'x' } },
    });
    expect(badV2.status).toBe(400);
    const notForType = await legacy(a, '/data/find', {
      collectionName: 'cars',
      filter: { year: { $contains: '20' } },
    });
    expect(notForType.status).toBe(400);
    expect(notForType.body.message).toMatch(/does not support CONTAINS/);
    const badSort = await legacy(a, '/data/find', {
      collectionName: 'cars',
      sort: [{ fieldName: 'year', direction: 'up' }],
    });
    expect(badSort.status).toBe(400);
    const badSkip = await legacy(a, '/data/find', { collectionName: 'cars', skip: -1 });
    expect(badSkip.status).toBe(400);
    expect((await legacy(a, '/data/find', {})).status).toBe(400);
  });
});

describe('data/get', () => {
  it('returns one item, projected on request, 404 when missing, 400 without an id', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/get', { collectionName: 'cars', itemId: 'c2' });
    expect(res.status).toBe(200);
    expect(res.body.item).toMatchObject({ ...CARS[1], _owner: 'test-member' });
    const projected = await legacy(a, '/data/get', {
      collectionName: 'cars',
      itemId: 'c2',
      projection: ['year'],
    });
    expect(projected.body).toEqual({ item: { _id: 'c2', year: 2019 } });
    const missing = await legacy(a, '/data/get', { collectionName: 'cars', itemId: 'zz' });
    expect(missing).toEqual({ status: 404, body: { message: 'Item zz not found' } });
    expect((await legacy(a, '/data/get', { collectionName: 'cars', itemId: '' })).status).toBe(400);
    expect((await legacy(a, '/data/get', { collectionName: 'nope', itemId: 'c1' })).status).toBe(404);
  });
});

describe('data writes', () => {
  it('inserts one item and answers it as stored; a duplicate _id is 409', async () => {
    const a = createTestAdaptor({ deps });
    await legacy(a, '/schemas/create', { collectionName: 'cars' });
    const res = await legacy(a, '/data/insert', {
      collectionName: 'cars',
      item: {
        _id: 'x1',
        make: 'BMW',
        n: 0,
        ok: false,
        empty: '',
        date_added: { $date: '2020-09-30T21:30:00Z' },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.item).toMatchObject({
      _id: 'x1',
      _owner: 'test-member',
      make: 'BMW',
      n: 0,
      ok: false,
      empty: '',
      date_added: { $date: '2020-09-30T21:30:00.000Z' },
    });
    expect(res.body.item._createdDate.$date).toMatch(ISO_MS);
    const dup = await legacy(a, '/data/insert', { collectionName: 'cars', item: { _id: 'x1' } });
    expect(dup).toEqual({ status: 409, body: { message: 'Item x1 already exists' } });
    const generated = await legacy(a, '/data/insert', { collectionName: 'cars', item: { make: 'Kia' } });
    expect(typeof generated.body.item._id).toBe('string');
    expect((await legacy(a, '/data/insert', { collectionName: 'cars' })).status).toBe(400);
    expect((await legacy(a, '/data/insert', { collectionName: 'nope', item: {} })).status).toBe(404);
  });

  it('bulk-inserts, and reports the first failing item without hiding the others', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/insert/bulk', {
      collectionName: 'cars',
      items: [{ _id: 'n1' }, { _id: 'c1' }, { _id: 'n2' }],
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ message: 'items[1]: Item c1 already exists (2 of 3 items were inserted)' });
    const count = await legacy(a, '/data/count', {
      collectionName: 'cars',
      filter: { _id: { $hasSome: ['n1', 'n2'] } },
    });
    expect(count.body.totalCount).toBe(2);
    const ok = await legacy(a, '/data/insert/bulk', {
      collectionName: 'cars',
      items: [{ _id: 'n3' }, { _id: 'n4' }],
    });
    expect(ok.status).toBe(200);
    expect(ids(ok.body)).toEqual(['n3', 'n4']);
    expect((await legacy(a, '/data/insert/bulk', { collectionName: 'cars', items: [] })).status).toBe(400);
  });

  it('updates whole items (one and bulk); a missing item is 404', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/update', {
      collectionName: 'cars',
      item: { _id: 'c1', make: 'Ford', year: 2018 },
    });
    expect(res.status).toBe(200);
    expect(res.body.item).toMatchObject({ _id: 'c1', make: 'Ford', year: 2018, _owner: 'test-member' });
    expect(res.body.item.added).toBeUndefined(); // replaced, as wixData.update does
    const got = await legacy(a, '/data/get', { collectionName: 'cars', itemId: 'c1' });
    expect(got.body.item).toEqual(res.body.item);
    const missing = await legacy(a, '/data/update', {
      collectionName: 'cars',
      item: { _id: 'zz', make: 'x' },
    });
    expect(missing).toEqual({ status: 404, body: { message: 'Item zz not found' } });
    expect(
      (await legacy(a, '/data/update', { collectionName: 'cars', item: { make: 'no id' } })).status,
    ).toBe(400);

    const bulk = await legacy(a, '/data/update/bulk', {
      collectionName: 'cars',
      items: [
        { _id: 'c2', make: 'BMW', year: 2020 },
        { _id: 'c3', make: 'Audi', year: 2022 },
      ],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.items.map((i: { year: number }) => i.year)).toEqual([2020, 2022]);
    const partial = await legacy(a, '/data/update/bulk', {
      collectionName: 'cars',
      items: [{ _id: 'zz' }, { _id: 'c4', make: 'Tesla' }],
    });
    expect(partial).toEqual({
      status: 404,
      body: { message: 'items[0]: Item zz not found (1 of 2 items were updated)' },
    });
  });

  it("keeps the caller's _createdDate/_updatedDate on insert and update, stamping them only when absent", async () => {
    const a = createTestAdaptor({ deps });
    await legacy(a, '/schemas/create', { collectionName: 'cars' });
    const created = { $date: '2019-02-01T08:00:00.000Z' };
    const inserted = await legacy(a, '/data/insert', {
      collectionName: 'cars',
      // {$date} (what Wix sends) and a bare ISO string (what the v1 reference also took), normalised.
      item: { _id: 'd1', _createdDate: created, _updatedDate: '2019-03-01T08:00:00Z' },
    });
    expect(inserted.status).toBe(200);
    expect(inserted.body.item).toMatchObject({
      _createdDate: created,
      _updatedDate: { $date: '2019-03-01T08:00:00.000Z' },
    });
    const stamped = await legacy(a, '/data/insert/bulk', {
      collectionName: 'cars',
      items: [
        { _id: 'd2', _updatedDate: { $date: '2019-04-01T00:00:00.000Z' } },
        { _id: 'd3', _createdDate: null },
      ],
    });
    expect(stamped.status).toBe(200);
    const [d2, d3] = stamped.body.items;
    expect(d2._createdDate.$date).toMatch(ISO_MS);
    expect(d2._createdDate.$date > '2020').toBe(true);
    expect(d2._updatedDate).toEqual({ $date: '2019-04-01T00:00:00.000Z' });
    expect(d3._createdDate).toEqual(d3._updatedDate);
    expect(d3._createdDate.$date > '2020').toBe(true);

    // Update: a sent _updatedDate is kept, an absent one stamped; _createdDate is kept from the
    // store unless sent.
    const kept = await legacy(a, '/data/update', {
      collectionName: 'cars',
      item: { _id: 'd1', make: 'Kia', _updatedDate: { $date: '2019-05-01T00:00:00.000Z' } },
    });
    expect(kept.status).toBe(200);
    expect(kept.body.item).toMatchObject({
      make: 'Kia',
      _createdDate: created,
      _updatedDate: { $date: '2019-05-01T00:00:00.000Z' },
    });
    const moved = await legacy(a, '/data/update', {
      collectionName: 'cars',
      item: { _id: 'd1', make: 'Kia', _createdDate: '2018-01-01T00:00:00.000Z' },
    });
    expect(moved.body.item._createdDate).toEqual({ $date: '2018-01-01T00:00:00.000Z' });
    expect(moved.body.item._updatedDate.$date > '2020').toBe(true);
    const got = await legacy(a, '/data/get', { collectionName: 'cars', itemId: 'd1' });
    expect(got.body.item).toEqual(moved.body.item);

    // Not a date: refused, never silently replaced.
    for (const bad of ['yesterday', 42, { $date: 'soon' }]) {
      const res = await legacy(a, '/data/insert', {
        collectionName: 'cars',
        item: { _id: 'd9', _createdDate: bad },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/_createdDate/);
      const up = await legacy(a, '/data/update', {
        collectionName: 'cars',
        item: { _id: 'd1', _updatedDate: bad },
      });
      expect(up.status).toBe(400);
    }
  });

  it('V3 still stamps both dates itself, whatever the item carries', async () => {
    const a = createTestAdaptor({ deps });
    await legacy(a, '/schemas/create', { collectionName: 'cars' });
    const old = { $date: '2019-02-01T08:00:00.000Z' };
    const ins = await a.call('/v3/items/insert', {
      collectionId: 'cars',
      items: [{ _id: 'v1', _createdDate: old, _updatedDate: old }],
    });
    const item = ins.body.results[0].item;
    expect(item._createdDate).not.toEqual(old);
    expect(item._updatedDate).not.toEqual(old);
    const up = await a.call('/v3/items/update', {
      collectionId: 'cars',
      items: [{ _id: 'v1', _createdDate: old, _updatedDate: old }],
    });
    expect(up.body.results[0].item._createdDate).toEqual(item._createdDate);
    expect(up.body.results[0].item._updatedDate).not.toEqual(old);
  });

  it('removes one item (answering it, 404 when absent) and many (absent ids are already gone)', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/remove', { collectionName: 'cars', itemId: 'c1' });
    expect(res.status).toBe(200);
    expect(res.body.item).toMatchObject(CARS[0]!);
    const again = await legacy(a, '/data/remove', { collectionName: 'cars', itemId: 'c1' });
    expect(again).toEqual({ status: 404, body: { message: 'Item c1 not found' } });
    const bulk = await legacy(a, '/data/remove/bulk', {
      collectionName: 'cars',
      itemIds: ['c2', 'c1', 'c3'],
    });
    expect(bulk.status).toBe(200);
    expect(ids(bulk.body)).toEqual(['c2', 'c3']);
    const left = await legacy(a, '/data/find', { collectionName: 'cars' });
    expect(ids(left.body)).toEqual(['c4', 'c5']);
    expect((await legacy(a, '/data/remove/bulk', { collectionName: 'cars', itemIds: [] })).status).toBe(400);
  });

  it('truncates in O(1)', async () => {
    const a = await withCars();
    expect(await legacy(a, '/data/truncate', { collectionName: 'cars' })).toEqual({ status: 200, body: {} });
    await purgesIdle(a);
    const res = await legacy(a, '/data/find', { collectionName: 'cars' });
    expect(res.body).toEqual({ items: [], totalCount: 0 });
    expect((await legacy(a, '/data/truncate', { collectionName: 'nope' })).status).toBe(404);
  });
});

describe('data/aggregate', () => {
  it('groups, aggregates and post-filters in the v2 shape', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/aggregate', {
      collectionName: 'cars',
      filter: { year: { $gt: 2000 } },
      processingStep: {
        _id: { e: '$electric' },
        avgYear: { $avg: '$year' },
        maxYear: { $max: '$year' },
        minYear: { $min: '$year' },
        sumYear: { $sum: '$year' },
        n: { $sum: 1 },
      },
      postFilteringStep: { $and: [{ n: { $gt: 0 } }] },
    });
    expect(res.status).toBe(200);
    const rows = res.body.items.map(({ _id, ...rest }: Record<string, unknown>) => {
      expect(_id).toMatch(/^[0-9a-f]{40}$/);
      return rest;
    });
    expect(rows).toEqual([
      { electric: false, avgYear: 2017, maxYear: 2017, minYear: 2017, sumYear: 2017, n: 1 },
      { electric: true, avgYear: 2020.3333333333333, maxYear: 2021, minYear: 2019, sumYear: 6061, n: 3 },
    ]);
    expect(res.body.totalCount).toBe(2);
  });

  it('accepts the v1 shape (aggregation, no $ prefixes, v1 filters) and honours paging', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/aggregate', {
      collectionName: 'cars',
      filter: { operator: '$ne', fieldName: 'make', value: 'Fiat' },
      aggregation: {
        processingStep: { _id: 'year', total: { $sum: 'year' }, n: { $sum: 1 } },
        postFilteringStep: { operator: '$gt', fieldName: 'n', value: 0 },
      },
      sort: [{ fieldName: 'year', direction: 'desc' }],
      skip: 0,
      limit: 2,
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map(({ _id, ...rest }: Record<string, unknown>) => rest)).toEqual([
      { year: 2021, total: 4042, n: 2 },
      { year: 2019, total: 2019, n: 1 },
    ]);
    expect(res.body.totalCount).toBe(3);
  });

  it('keeps _id when it is the group key, and refuses unknown functions', async () => {
    const a = await withCars();
    const res = await legacy(a, '/data/aggregate', {
      collectionName: 'cars',
      processingStep: { _id: '$_id', y: { $max: '$year' } },
    });
    expect(res.body.items[0]).toEqual({ _id: 'c1', y: 2017 });
    const bad = await legacy(a, '/data/aggregate', {
      collectionName: 'cars',
      processingStep: { _id: '$make', y: { $median: '$year' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/Unrecognized aggregation \$median/);
  });
});

describe('tenancy', () => {
  it('keeps instanceIds apart, and shares a tenant with V3', async () => {
    const a = await withCars();
    const other = `other-${randomUUID()}`;
    const list = await legacy(a, '/schemas/list', {}, { tenant: other });
    expect(list.body).toEqual({ schemas: [] });
    const find = await legacy(a, '/data/find', { collectionName: 'cars' }, { tenant: other });
    expect(find.status).toBe(404);
    const v3 = await a.call('/v3/items/query', { collectionId: 'cars', query: {} }, { tenant: other });
    expect(v3.status).toBe(404);
  });
});

describe('round trips between V3 and legacy', () => {
  const item = {
    _id: 'rt1',
    text: 'hello',
    n: 0,
    neg: -1.5,
    big: 2 ** 53 - 1,
    flag: false,
    empty: '',
    none: null,
    when: { $date: '2024-02-29T12:34:56.789Z' },
    nested: { a: [1, 'x', { $date: '2020-01-01T00:00:00.000Z' }], b: { c: true } },
    list: ['a', 'b'],
  };

  it('an item written through V3 reads back identically through /data/get and /data/find', async () => {
    const a = createTestAdaptor({ deps });
    await a.call('/v3/collections/create', {
      collection: { id: 'rt', fields: [{ key: 'when', type: 'DATETIME' }] },
    });
    const written = await a.call('/v3/items/insert', { collectionId: 'rt', items: [item] });
    const v3Item = written.body.results[0].item;
    expect(v3Item._createdDate.$date).toMatch(ISO_MS);
    const got = await legacy(a, '/data/get', { collectionName: 'rt', itemId: 'rt1' });
    expect(got.body.item).toEqual(v3Item);
    const found = await legacy(a, '/data/find', {
      collectionName: 'rt',
      filter: { when: { $eq: { $date: '2024-02-29T12:34:56.789Z' } } },
    });
    expect(found.body).toEqual({ items: [v3Item], totalCount: 1 });
    const byV3 = await a.call('/v3/items/query', { collectionId: 'rt', query: {} });
    expect(byV3.body.items).toEqual([v3Item]);
  });

  it('an item written through legacy reads back identically through V3', async () => {
    const a = createTestAdaptor({ deps });
    await legacy(a, '/schemas/create', { collectionName: 'rt' });
    const written = await legacy(a, '/data/insert', { collectionName: 'rt', item });
    const legacyItem = written.body.item;
    expect(legacyItem).toEqual({
      ...item,
      _owner: 'test-member',
      _createdDate: legacyItem._createdDate,
      _updatedDate: legacyItem._createdDate,
    });
    const v3 = await a.call('/v3/items/query', {
      collectionId: 'rt',
      query: { filter: { _id: 'rt1' } },
    });
    expect(v3.body.items).toEqual([legacyItem]);
    const got = await legacy(a, '/data/get', { collectionName: 'rt', itemId: 'rt1' });
    expect(got.body.item).toEqual(legacyItem);
  });
});

describe('coverage', () => {
  it('drove every legacy path of the route table', () => {
    const routed = ROUTES.flatMap((r) => r.paths.filter((p) => p.protocol === 'legacy').map((p) => p.path));
    expect(routed.filter((p) => !driven.has(p))).toEqual([]);
  });
});
