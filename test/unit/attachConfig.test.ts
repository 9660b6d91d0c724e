/** ATTACH_TABLES: parsed and checked once at start-up; a bad entry stops it with a message naming it. */
import { ConfigError, loadConfig } from '../../lambda/config';
import { attachedFor, parseAttachTables } from '../../lambda/model/attach';

const load = (value: unknown) =>
  loadConfig({ ATTACH_TABLES: typeof value === 'string' ? value : JSON.stringify(value) });

describe('ATTACH_TABLES', () => {
  it('is empty when unset or blank', () => {
    expect(loadConfig({}).attachTables).toEqual([]);
    expect(loadConfig({ ATTACH_TABLES: '  ' }).attachTables).toEqual([]);
  });

  it('fills the defaults: collectionId = table, access = read, no overrides', () => {
    expect(load([{ table: 'orders', tenants: ['site-1'] }]).attachTables).toEqual([
      {
        table: 'orders',
        collectionId: 'orders',
        tenants: ['site-1'],
        access: 'read',
        idAttribute: undefined,
        fields: [],
      },
    ]);
  });

  it('keeps every given key, upper-casing override types', () => {
    const [entry] = load([
      {
        table: 'shop.products',
        collectionId: 'Products',
        tenants: ['*'],
        access: 'readwrite',
        idAttribute: 'sku',
        fields: [{ key: 'launch', type: 'datetime' }],
      },
    ]).attachTables;
    expect(entry).toEqual({
      table: 'shop.products',
      collectionId: 'Products',
      tenants: ['*'],
      access: 'readwrite',
      idAttribute: 'sku',
      fields: [{ key: 'launch', type: 'DATETIME' }],
    });
    expect(Object.isFrozen(entry)).toBe(true);
  });

  it.each([
    ['not JSON', '[{', /ATTACH_TABLES is not valid JSON/],
    ['not an array', { table: 'orders' }, /ATTACH_TABLES must be a JSON array/],
    ['an entry that is no object', ['orders'], /entry \[0\]: must be an object/],
    ['a missing table', [{ tenants: ['a'] }], /entry \[0\]: "table" must be/],
    ['a bad table name', [{ table: 'a b c', tenants: ['a'] }], /entry \[0\] \(table "a b c"\): "table"/],
    ['missing tenants', [{ table: 'orders' }], /entry \[0\] \(table "orders"\): "tenants" is required/],
    ['empty tenants', [{ table: 'orders', tenants: [] }], /"tenants" is required/],
    ['a non-string tenant', [{ table: 'orders', tenants: [7] }], /"tenants" must hold non-empty strings/],
    ['"*" mixed with ids', [{ table: 'orders', tenants: ['*', 'a'] }], /"\*" \(every tenant\) must be alone/],
    [
      'a bad access',
      [{ table: 'orders', tenants: ['a'], access: 'write' }],
      /"access" must be "read" or "readwrite"/,
    ],
    [
      'a bad collection id',
      [{ table: 'orders', tenants: ['a'], collectionId: '-x' }],
      /"collectionId" must be/,
    ],
    ['an empty idAttribute', [{ table: 'orders', tenants: ['a'], idAttribute: '' }], /"idAttribute" must be/],
    ['a misspelt key', [{ table: 'orders', tenants: ['a'], tenant: ['b'] }], /unknown key\(s\) "tenant"/],
    ['fields not an array', [{ table: 'orders', tenants: ['a'], fields: {} }], /"fields" must be an array/],
    [
      'a field without type',
      [{ table: 'orders', tenants: ['a'], fields: [{ key: 'x' }] }],
      /"fields"\[0\] must be/,
    ],
    [
      'a field type we cannot show',
      [{ table: 'orders', tenants: ['a'], fields: [{ key: 'x', type: 'REFERENCE' }] }],
      /"fields"\[0\] \("x"\): type must be one of/,
    ],
    [
      'a field listed twice',
      [
        {
          table: 'orders',
          tenants: ['a'],
          fields: [
            { key: 'x', type: 'TEXT' },
            { key: 'x', type: 'NUMBER' },
          ],
        },
      ],
      /"fields" lists "x" twice/,
    ],
    [
      'one collection id twice for a tenant',
      [
        { table: 'orders', tenants: ['a', 'b'] },
        { table: 'orders2', collectionId: 'orders', tenants: ['b'] },
      ],
      /entry \[1\] \(table "orders2"\): collection id "orders" is already attached by entry \[0\]/,
    ],
    [
      'one collection id twice, once for every tenant',
      [
        { table: 'orders', tenants: ['*'] },
        { table: 'orders2', collectionId: 'orders', tenants: ['b'] },
      ],
      /already attached/,
    ],
    [
      "the adaptor's own table",
      [{ table: 'wix-adaptor', tenants: ['a'] }],
      /entry \[0\] names the adaptor's own table/,
    ],
  ])('stops start-up on %s', (_name, value, message) => {
    expect(() => load(value)).toThrow(ConfigError);
    expect(() => load(value)).toThrow(message);
  });

  it('allows one collection id for different tenants (each sees one table)', () => {
    const entries = parseAttachTables([
      { table: 'orders_a', collectionId: 'orders', tenants: ['a'] },
      { table: 'orders_b', collectionId: 'orders', tenants: ['b'] },
    ]);
    expect(attachedFor(entries, 'a', 'orders')?.table).toBe('orders_a');
    expect(attachedFor(entries, 'b', 'orders')?.table).toBe('orders_b');
    expect(attachedFor(entries, 'c', 'orders')).toBeUndefined();
  });

  it('shows a "*" entry to every tenant', () => {
    const entries = parseAttachTables('[{"table": "events", "tenants": ["*"]}]');
    expect(attachedFor(entries, 'anyone', 'events')?.table).toBe('events');
    expect(attachedFor(entries, 'anyone', 'other')).toBeUndefined();
  });
});
