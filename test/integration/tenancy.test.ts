/**
 * Tenancy, for every operation of both protocols: tenant B can read, count, aggregate, update,
 * remove, truncate, reference or list nothing of tenant A's, not even with a cursor minted for A.
 */
import { randomUUID } from 'node:crypto';
import { ROUTES } from '../../lambda/routes';
import {
  buildsIdle,
  createTestAdaptor,
  testDeps,
  type CallResult,
  type TestAdaptor,
} from '../helpers/adaptor';

const deps = testDeps({ WIX_SECRET_KEY: `tenancy-${randomUUID()}` });
const exercised = new Set<string>();

async function v3(t: TestAdaptor, path: string, request: unknown): Promise<CallResult> {
  exercised.add(path);
  return t.call(path, request);
}

async function legacy(t: TestAdaptor, path: string, body: Record<string, unknown>): Promise<CallResult> {
  exercised.add(path);
  return t.legacy(path, body);
}

const SECRET_VALUE = 'tenant-a-secret-value';

async function tenantA(): Promise<{ a: TestAdaptor; cursor: string }> {
  const a = createTestAdaptor({ deps });
  await a.call('/v3/collections/create', {
    collection: {
      id: 'shared',
      fields: [
        { key: 'v', type: 'TEXT' },
        { key: 'refs', type: 'MULTI_REFERENCE', multiReferenceOptions: { referencedCollectionId: 'shared' } },
      ],
    },
  });
  await a.call('/v3/items/insert', {
    collectionId: 'shared',
    items: Array.from({ length: 5 }, (_, i) => ({ _id: `a${i}`, v: SECRET_VALUE, n: i })),
  });
  await a.call('/v3/items/insert-references', {
    collectionId: 'shared',
    referringFieldKey: 'refs',
    references: [{ referringItemId: 'a0', referencedItemId: 'a1' }],
  });
  await a.call('/v3/indexes/create', {
    collectionId: 'shared',
    index: { name: 'byV', fields: [{ path: 'v' }] },
  });
  await buildsIdle(a);
  const page = await a.call('/v3/items/query', {
    collectionId: 'shared',
    query: { cursorPaging: { limit: 2 } },
  });
  return { a, cursor: page.body.pagingMetadata.cursors.next };
}

function leaksNothing(res: CallResult): void {
  expect(JSON.stringify(res.body)).not.toContain(SECRET_VALUE);
  expect(JSON.stringify(res.body)).not.toMatch(/"a[0-4]"/);
}

async function stateOf(a: TestAdaptor) {
  const collections = await a.call('/v3/collections/get', {});
  const items = await a.call('/v3/items/query', { collectionId: 'shared', query: {} });
  const refs = await a.call('/v3/items/query-referenced', {
    collectionId: 'shared',
    referringFieldKey: 'refs',
  });
  const indexes = await a.call('/v3/indexes/list', { collectionId: 'shared' });
  return {
    collections: collections.body,
    items: items.body.items,
    refs: refs.body.items,
    indexes: indexes.body.indexes,
  };
}

describe('tenant B against tenant A', () => {
  it('reaches nothing of A through any V3 or legacy operation', async () => {
    const { a, cursor } = await tenantA();
    const before = await stateOf(a);
    expect(before.items).toHaveLength(5);
    expect(before.indexes).toHaveLength(1);
    const b = createTestAdaptor({ deps });
    const C = 'shared';
    const notFound: [string, (t: TestAdaptor) => Promise<CallResult>][] = [
      [
        '/v3/collections/update',
        (t) => v3(t, '/v3/collections/update', { collection: { id: C, fields: [] } }),
      ],
      ['/v3/collections/delete', (t) => v3(t, '/v3/collections/delete', { collectionId: C })],
      ['/v3/items/query', (t) => v3(t, '/v3/items/query', { collectionId: C, query: {} })],
      [
        '/v3/items/query cursor',
        (t) => v3(t, '/v3/items/query', { collectionId: C, query: { cursorPaging: { cursor } } }),
      ],
      ['/v3/items/count', (t) => v3(t, '/v3/items/count', { collectionId: C, filter: {} })],
      [
        '/v3/items/aggregate',
        (t) =>
          v3(t, '/v3/items/aggregate', {
            collectionId: C,
            aggregation: { operations: [{ resultFieldName: 'n', itemCount: {} }] },
          }),
      ],
      [
        '/v3/items/query-distinct-values',
        (t) => v3(t, '/v3/items/query-distinct-values', { collectionId: C, fieldName: 'v' }),
      ],
      [
        '/v3/items/insert',
        (t) => v3(t, '/v3/items/insert', { collectionId: C, items: [{ _id: 'a0', v: 'overwrite' }] }),
      ],
      [
        '/v3/items/update',
        (t) => v3(t, '/v3/items/update', { collectionId: C, items: [{ _id: 'a0', v: 'overwrite' }] }),
      ],
      ['/v3/items/remove', (t) => v3(t, '/v3/items/remove', { collectionId: C, itemIds: ['a0'] })],
      ['/v3/items/truncate', (t) => v3(t, '/v3/items/truncate', { collectionId: C })],
      [
        '/v3/items/query-referenced',
        (t) => v3(t, '/v3/items/query-referenced', { collectionId: C, referringFieldKey: 'refs' }),
      ],
      [
        '/v3/items/insert-references',
        (t) =>
          v3(t, '/v3/items/insert-references', {
            collectionId: C,
            referringFieldKey: 'refs',
            references: [{ referringItemId: 'a2', referencedItemId: 'a3' }],
          }),
      ],
      [
        '/v3/items/remove-references',
        (t) =>
          v3(t, '/v3/items/remove-references', {
            collectionId: C,
            referringFieldKey: 'refs',
            references: [{ referringItemId: 'a0', referencedItemId: 'a1' }],
          }),
      ],
      ['/v3/indexes/list', (t) => v3(t, '/v3/indexes/list', { collectionId: C })],
      [
        '/v3/indexes/create',
        (t) =>
          v3(t, '/v3/indexes/create', { collectionId: C, index: { name: 'byV', fields: [{ path: 'v' }] } }),
      ],
      ['/v3/indexes/remove', (t) => v3(t, '/v3/indexes/remove', { collectionId: C, indexName: 'byV' })],
      ['/schemas/find', (t) => legacy(t, '/schemas/find', { schemaIds: [C] })],
      [
        '/schemas/column/add',
        (t) => legacy(t, '/schemas/column/add', { collectionName: C, column: { name: 'x', type: 'text' } }),
      ],
      [
        '/schemas/column/remove',
        (t) => legacy(t, '/schemas/column/remove', { collectionName: C, columnName: 'v' }),
      ],
      [
        '/data/find',
        (t) => legacy(t, '/data/find', { collectionName: C, filter: {}, sort: [], skip: 0, limit: 50 }),
      ],
      ['/data/get', (t) => legacy(t, '/data/get', { collectionName: C, itemId: 'a0' })],
      ['/data/count', (t) => legacy(t, '/data/count', { collectionName: C, filter: {} })],
      [
        '/data/insert',
        (t) => legacy(t, '/data/insert', { collectionName: C, item: { _id: 'a0', v: 'overwrite' } }),
      ],
      [
        '/data/insert/bulk',
        (t) => legacy(t, '/data/insert/bulk', { collectionName: C, items: [{ _id: 'a0' }] }),
      ],
      [
        '/data/update',
        (t) => legacy(t, '/data/update', { collectionName: C, item: { _id: 'a0', v: 'overwrite' } }),
      ],
      [
        '/data/update/bulk',
        (t) => legacy(t, '/data/update/bulk', { collectionName: C, items: [{ _id: 'a0' }] }),
      ],
      ['/data/remove', (t) => legacy(t, '/data/remove', { collectionName: C, itemId: 'a0' })],
      ['/data/remove/bulk', (t) => legacy(t, '/data/remove/bulk', { collectionName: C, itemIds: ['a0'] })],
      ['/data/truncate', (t) => legacy(t, '/data/truncate', { collectionName: C })],
      [
        '/data/aggregate',
        (t) =>
          legacy(t, '/data/aggregate', {
            collectionName: C,
            processingStep: { _id: { v: '$v' }, n: { $sum: 1 } },
          }),
      ],
    ];
    for (const [name, send] of notFound) {
      const res = await send(b);
      expect([name, res.status]).toEqual([name, 404]);
      leaksNothing(res);
    }

    // listings show B's own (empty) world
    const lists: [string, () => Promise<CallResult>][] = [
      ['/v3/collections/get', () => v3(b, '/v3/collections/get', {})],
      ['/v3/collections/get by id', () => v3(b, '/v3/collections/get', { collectionIds: [C] })],
      ['/schemas/list', () => legacy(b, '/schemas/list', {})],
      ['/schemas/list/headers', () => legacy(b, '/schemas/list/headers', {})],
    ];
    for (const [name, send] of lists) {
      const res = await send();
      expect([name, res.status]).toEqual([name, 200]);
      expect(JSON.stringify(res.body)).not.toContain('shared');
    }

    // B may own a collection of the same name: still nothing of A, and A's cursor is refused
    expect((await v3(b, '/v3/collections/create', { collection: { id: C, fields: [] } })).status).toBe(200);
    expect((await legacy(b, '/schemas/create', { collectionName: 'other' })).status).toBe(200);
    const forged = await v3(b, '/v3/items/query', { collectionId: C, query: { cursorPaging: { cursor } } });
    expect([forged.status, forged.body.errorCode]).toEqual([400, 'VALIDATION_ERROR']);
    leaksNothing(forged);
    const own = await v3(b, '/v3/items/query', { collectionId: C, query: {} });
    expect(own.body.items).toEqual([]);
    exercised.add('/v3/capabilities/get');
    exercised.add('/v3/provision');
    exercised.add('/provision');

    // A is exactly as it was
    expect(await stateOf(a)).toEqual(before);
  });

  it('covered every path of the route table', () => {
    const all = ROUTES.flatMap((r) => r.paths.map((p) => p.path));
    expect(all.filter((p) => !exercised.has(p))).toEqual([]);
  });
});
