/** The attached-table planner and `_id` encoding (pure): exact access paths and expressions. */
import type { AttachedLayout } from '../../lambda/model/attachedLayout';
import { parseFilter } from '../../lambda/query/parse';
import { planTable, scanSegments } from '../../lambda/query/tablePlan';
import { idOfItem, keyOfId } from '../../lambda/store/attached/keyId';
import { inferFields, readOnlyReason } from '../../lambda/service/attachedRecord';
import { parseAttachTables } from '../../lambda/model/attach';

const ORDERS: AttachedLayout = {
  table: 'orders',
  partitionKey: { name: 'customer', type: 'S' },
  sortKey: { name: 'orderNo', type: 'N' },
  idMode: 'encoded',
  indexes: [
    {
      name: 'byStatus',
      kind: 'GSI',
      partitionKey: { name: 'status', type: 'S' },
      sortKey: { name: 'placedAt', type: 'S' },
      projectsAll: true,
    },
    {
      name: 'byTotal',
      kind: 'LSI',
      partitionKey: { name: 'customer', type: 'S' },
      sortKey: { name: 'total', type: 'N' },
      projectsAll: true,
    },
    {
      name: 'keysOnly',
      kind: 'GSI',
      partitionKey: { name: 'region', type: 'S' },
      sortKey: undefined,
      projectsAll: false,
    },
  ],
  writable: false,
  readOnlyReason: 'read',
  dateFields: ['placedAt'],
  approximateItems: 12_000,
};

const planOf = (filter: unknown, consistent = false, sort: { field: string; desc: boolean }[] = []) =>
  planTable(parseFilter(filter), sort, ORDERS, { consistent }).path;

describe('planTable', () => {
  it.each<[string, unknown, boolean, Record<string, unknown>]>([
    ['an _id', { _id: 'S:c1/N:7' }, false, { kind: 'get', ids: ['S:c1/N:7'] }],
    ['an _id set', { _id: { $in: ['a', 'b'] } }, false, { kind: 'get', ids: ['a', 'b'] }],
    ['contradicting _ids', { $and: [{ _id: 'a' }, { _id: 'b' }] }, false, { kind: 'none' }],
    [
      'partition key and a sort-key range',
      { customer: 'c1', orderNo: { $gte: 10, $lte: 20 } },
      false,
      {
        kind: 'query',
        indexName: undefined,
        scanSegments: undefined,
        keyCondition: '#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2',
        names: { '#n0': 'customer', '#n1': 'orderNo' },
        values: { ':v0': 'c1', ':v1': 10, ':v2': 20 },
        filterExpression: undefined,
      },
    ],
    [
      'a GSI partition key, eventually consistent',
      { status: 'paid', note: { $exists: true } },
      false,
      {
        kind: 'query',
        indexName: 'byStatus',
        scanSegments: undefined,
        keyCondition: '#n0 = :v0',
        filterExpression: 'attribute_exists(#n1)',
      },
    ],
    [
      'a GSI partition key under consistentRead: a Scan',
      { status: 'paid' },
      true,
      {
        kind: 'query',
        indexName: undefined,
        scanSegments: 3,
        keyCondition: '',
        filterExpression: '#n0 = :v0',
      },
    ],
    [
      'the LSI when its sort key is filtered (consistent reads allowed)',
      { customer: 'c1', total: { $gt: 100 } },
      true,
      { kind: 'query', indexName: 'byTotal', keyCondition: '#n0 = :v0 AND #n1 > :v1' },
    ],
    [
      'an index that does not project ALL is not used',
      { region: 'eu' },
      false,
      { kind: 'query', indexName: undefined, scanSegments: 3 },
    ],
    [
      'a key value of the wrong type is left to memory',
      { customer: 5 },
      false,
      { kind: 'query', indexName: undefined, scanSegments: 3 },
    ],
    [
      'dates stay in memory (they are strings in the table)',
      { placedAt: { $gt: { $date: '2024-01-01T00:00:00.000Z' } } },
      false,
      { kind: 'query', scanSegments: 3, filterExpression: undefined, exact: false },
    ],
  ])('plans %s', (_name, filter, consistent, expected) => {
    expect(planOf(filter, consistent)).toMatchObject(expected);
  });

  it('never orders by key (an encoded _id does not sort like its values)', () => {
    expect(planOf({ customer: 'c1' }, false, [{ field: 'orderNo', desc: false }])).toMatchObject({
      orderedBySort: false,
    });
  });

  it.each([
    [0, 1],
    [5_000, 1],
    [5_001, 2],
    [10_050, 3],
    [10_000_000, 8],
  ])('scans %i items in %i segment(s)', (items, segments) => {
    expect(scanSegments(items)).toBe(segments);
  });
});

describe('_id of an attached item', () => {
  it.each<[string, Record<string, any>, string]>([
    ['string and number keys', { customer: { S: 'c#1/é' }, orderNo: { N: '42' } }, 'S:c%231%2F%C3%A9/N:42'],
    [
      'numbers beyond 2^53, every digit',
      { customer: { S: 'c' }, orderNo: { N: '12345678901234567890' } },
      'S:c/N:12345678901234567890',
    ],
  ])('encodes %s reversibly', (_name, key, id) => {
    expect(idOfItem(key, ORDERS)).toBe(id);
    expect(keyOfId(id, ORDERS)).toEqual(key);
  });

  it('encodes binary keys as base64url', () => {
    const layout = { ...ORDERS, partitionKey: { name: 'k', type: 'B' as const }, sortKey: undefined };
    const id = idOfItem({ k: { B: Buffer.from([0xfb, 0xff]) } }, layout)!;
    expect(id).toBe('B:-_8');
    expect(keyOfId(id, layout)).toEqual({ k: { B: Buffer.from([0xfb, 0xff]) } });
  });

  it.each(['', 'S:c', 'N:1/S:c', 'S:c/N:abc', 'S:/N:1', 'S:c/N:1/N:2', 'S:%zz/N:1', 'X:c/N:1'])(
    'names no item with %j',
    (id) => expect(keyOfId(id, ORDERS)).toBeUndefined(),
  );

  it('is the key value itself for a string partition key used as _id', () => {
    const layout = {
      ...ORDERS,
      partitionKey: { name: 'sku', type: 'S' as const },
      sortKey: undefined,
      idMode: 'attribute' as const,
    };
    expect(idOfItem({ sku: { S: 'p/1' } }, layout)).toBe('p/1');
    expect(keyOfId('p/1', layout)).toEqual({ sku: { S: 'p/1' } });
  });
});

describe('the read-write rule', () => {
  const entry = (e: Record<string, unknown>) =>
    parseAttachTables([{ table: 'things', tenants: ['*'], ...e }])[0]!;
  const shape = (
    pk: { name: string; type: 'S' | 'N' | 'B' },
    sk?: { name: string; type: 'S' | 'N' | 'B' },
  ) => ({
    table: 'things',
    partitionKey: pk,
    sortKey: sk,
    indexes: [],
    approximateItems: 0,
  });
  it.each<[string, Record<string, unknown>, ReturnType<typeof shape>, RegExp | undefined]>([
    [
      'readwrite, string key named _id',
      { access: 'readwrite' },
      shape({ name: '_id', type: 'S' }),
      undefined,
    ],
    [
      'readwrite, string key mapped by idAttribute',
      { access: 'readwrite', idAttribute: 'sku' },
      shape({ name: 'sku', type: 'S' }),
      undefined,
    ],
    ['access read', {}, shape({ name: '_id', type: 'S' }), /access "read"/],
    [
      'a composite key',
      { access: 'readwrite' },
      shape({ name: '_id', type: 'S' }, { name: 'v', type: 'N' }),
      /not a single string partition key/,
    ],
    [
      'a number key',
      { access: 'readwrite' },
      shape({ name: '_id', type: 'N' }),
      /not a single string partition key/,
    ],
    [
      'an unmapped key',
      { access: 'readwrite' },
      shape({ name: 'sku', type: 'S' }),
      /not named _id; set idAttribute/,
    ],
    [
      'a wrong idAttribute',
      { access: 'readwrite', idAttribute: 'id' },
      shape({ name: 'sku', type: 'S' }),
      /idAttribute id is not the table's partition key sku/,
    ],
  ])('%s', (_name, e, s, reason) => {
    const got = readOnlyReason(entry(e), s);
    if (reason) expect(got).toMatch(reason);
    else expect(got).toBeUndefined();
  });

  it('lists the system fields of a read-write table, and only those present for a read-only one', () => {
    const keys = (e: Record<string, unknown>) =>
      inferFields(entry(e), shape({ name: '_id', type: 'S' }), [
        { _id: { S: 'a' }, _owner: { S: 'm' }, x: { N: '1' } },
      ]).map((f) => f.key);
    expect(keys({ access: 'readwrite' })).toEqual(['_id', '_createdDate', '_updatedDate', '_owner', 'x']);
    expect(keys({})).toEqual(['_id', '_owner', 'x']);
  });
});
