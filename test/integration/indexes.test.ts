/** `/v3/indexes/*` against DynamoDB Local, through the real V3 edge (signed requests). */
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

/** Builds never run here, so indexes stay BUILDING: this file is about the records and the API. */
const deps = depsWithoutBuilds();

async function withCollection(id = 'products'): Promise<TestAdaptor> {
  const a = createTestAdaptor({ deps });
  const res = await a.call('/v3/collections/create', {
    collection: {
      id,
      fields: [
        { key: 'price', type: 'NUMBER' },
        { key: 'category', type: 'TEXT' },
      ],
    },
  });
  expect(res.status).toBe(200);
  return a;
}

const list = async (a: TestAdaptor, collectionId = 'products') =>
  a.call('/v3/indexes/list', { collectionId });

describe('indexes: list, create, remove', () => {
  it('creates an index, lists it BUILDING with its defaults, and removes it', async () => {
    const a = await withCollection();
    expect((await list(a)).body).toEqual({ indexes: [] });
    const created = await a.call('/v3/indexes/create', {
      collectionId: 'products',
      index: { name: 'byPrice', fields: [{ path: 'price' }, { path: 'category', order: 'DESC' }] },
    });
    expect(created.status).toBe(200);
    const expected = {
      name: 'byPrice',
      fields: [
        { path: 'price', order: 'ASC' },
        { path: 'category', order: 'DESC' },
      ],
      unique: false,
      caseInsensitive: false,
      status: 'BUILDING',
    };
    expect(created.body).toEqual({ index: expected });
    expect((await list(a)).body).toEqual({ indexes: [expected] });

    const removed = await a.call('/v3/indexes/remove', { collectionId: 'products', indexName: 'byPrice' });
    expect(removed).toEqual({ status: 200, body: {} });
    expect((await list(a)).body).toEqual({ indexes: [] });
  });

  it('refuses a second index with a taken name, and never creates it', async () => {
    const a = await withCollection();
    const index = { name: 'dup', fields: [{ path: 'price' }] };
    expect((await a.call('/v3/indexes/create', { collectionId: 'products', index })).status).toBe(200);
    const again = await a.call('/v3/indexes/create', {
      collectionId: 'products',
      index: { ...index, fields: [{ path: 'category' }] },
    });
    expect(again.status).toBe(409);
    expect(again.body.errorCode).toBe('INDEX_ALREADY_EXISTS');
    const names = (await list(a)).body.indexes.map((i: { name: string; fields: unknown }) => [
      i.name,
      i.fields,
    ]);
    expect(names).toEqual([['dup', [{ path: 'price', order: 'ASC' }]]]);
  });

  it('lets the same name exist in two collections and two tenants', async () => {
    const a = await withCollection();
    expect((await a.call('/v3/collections/create', { collection: { id: 'other', fields: [] } })).status).toBe(
      200,
    );
    const b = await withCollection();
    const index = { name: 'same', fields: [{ path: 'price' }] };
    for (const [adaptor, collectionId] of [
      [a, 'products'],
      [a, 'other'],
      [b, 'products'],
    ] as const) {
      expect((await adaptor.call('/v3/indexes/create', { collectionId, index })).status).toBe(200);
    }
    expect((await list(a, 'other')).body.indexes).toHaveLength(1);
    // b's removal leaves a's index alone
    expect((await b.call('/v3/indexes/remove', { collectionId: 'products', indexName: 'same' })).status).toBe(
      200,
    );
    expect((await list(a)).body.indexes).toHaveLength(1);
    expect((await list(b)).body.indexes).toHaveLength(0);
  });

  it('accepts nested paths, system fields and caseInsensitive', async () => {
    const a = await withCollection();
    const index = {
      name: 'cityOwner',
      caseInsensitive: true,
      fields: [{ path: 'address.city' }, { path: '_owner' }, { path: '_createdDate', order: 'DESC' }],
    };
    const res = await a.call('/v3/indexes/create', { collectionId: 'products', index });
    expect(res.status).toBe(200);
    expect(res.body.index).toMatchObject({
      caseInsensitive: true,
      fields: [{ path: 'address.city' }, {}, {}],
    });
  });

  it('accepts a unique index on one field, caseInsensitive or not, and lists it', async () => {
    const a = await withCollection();
    for (const [name, caseInsensitive] of [
      ['bySku', false],
      ['byEmail', true],
    ] as const) {
      const res = await a.call('/v3/indexes/create', {
        collectionId: 'products',
        index: { name, unique: true, caseInsensitive, fields: [{ path: name }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.index).toMatchObject({ name, unique: true, caseInsensitive });
    }
    expect((await list(a)).body.indexes.map((i: { unique: boolean }) => i.unique)).toEqual([true, true]);
  });

  it.each([
    ['no name', { fields: [{ path: 'price' }] }, 'index.name'],
    ['a name too long', { name: 'x'.repeat(129), fields: [{ path: 'price' }] }, 'index.name'],
    ['no fields', { name: 'n', fields: [] }, 'index.fields'],
    ['four fields', { name: 'n', fields: ['a', 'b', 'c', 'd'].map((path) => ({ path })) }, 'index.fields'],
    ['an empty path', { name: 'n', fields: [{ path: '' }] }, 'index.fields[0].path'],
    ['an empty path segment', { name: 'n', fields: [{ path: 'a..b' }] }, 'index.fields[0].path'],
    ['an operator-like path', { name: 'n', fields: [{ path: '$where' }] }, 'index.fields[0].path'],
    [
      'a field twice',
      { name: 'n', fields: [{ path: 'a' }, { path: 'a', order: 'DESC' }] },
      'index.fields[1].path',
    ],
    ['a bad order', { name: 'n', fields: [{ path: 'a', order: 'UP' }] }, 'index.fields[0].order'],
    [
      'a non-boolean flag',
      { name: 'n', caseInsensitive: 'yes', fields: [{ path: 'a' }] },
      'index.caseInsensitive',
    ],
    [
      'a unique index on two fields',
      { name: 'n', unique: true, fields: [{ path: 'a' }, { path: 'b' }] },
      'index.fields',
    ],
    ['no index object', 'byPrice', 'index'],
  ])('refuses %s with a 400', async (_label, index, fieldPath) => {
    const a = await withCollection();
    const res = await a.call('/v3/indexes/create', { collectionId: 'products', index });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION_ERROR');
    expect(res.body.data.violations.map((v: { fieldPath: string }) => v.fieldPath)).toContain(fieldPath);
    expect((await list(a)).body.indexes).toEqual([]);
  });

  it('gives every index its own slot and refuses one more than the slots', async () => {
    const a = await withCollection();
    for (let i = 0; i < 5; i++) {
      const res = await a.call('/v3/indexes/create', {
        collectionId: 'products',
        index: { name: `i${i}`, fields: [{ path: `f${i}` }] },
      });
      expect(res.status).toBe(200);
    }
    const sixth = await a.call('/v3/indexes/create', {
      collectionId: 'products',
      index: { name: 'i5', fields: [{ path: 'f5' }] },
    });
    expect(sixth.status).toBe(400);
    const stored = await getRecord(a);
    expect(stored.indexes!.map((i) => i.slot).sort()).toEqual([1, 2, 3, 4, 5]);
    // removing one frees its slot for the next index
    expect((await a.call('/v3/indexes/remove', { collectionId: 'products', indexName: 'i2' })).status).toBe(
      200,
    );
    const freed = stored.indexes!.find((i) => i.name === 'i2')!.slot;
    expect(
      (
        await a.call('/v3/indexes/create', {
          collectionId: 'products',
          index: { name: 'i5', fields: [{ path: 'x' }] },
        })
      ).status,
    ).toBe(200);
    const after = await getRecord(a);
    expect(after.indexes!.find((i) => i.name === 'i5')!.slot).toBe(freed);
    expect(after.indexes!.find((i) => i.name === 'i5')!.token).not.toBe(
      stored.indexes!.find((i) => i.name === 'i2')!.token,
    );
  });

  it('never gives two concurrent creates the same name or slot', async () => {
    const a = await withCollection();
    const results = await Promise.all(
      [0, 1, 2, 3, 0, 1].map((i) =>
        a.call('/v3/indexes/create', {
          collectionId: 'products',
          index: { name: `n${i}`, fields: [{ path: 'p' }] },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 200).length;
    // each name once; the losers of a name race get 409 (or 409 after a conflict retry)
    expect(ok).toBe(4);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    const stored = await getRecord(a);
    expect(new Set(stored.indexes!.map((i) => i.slot)).size).toBe(4);
    expect(new Set(stored.indexes!.map((i) => i.name)).size).toBe(4);
  });

  it('keeps indexes across a collection update and answers 404 for unknown collections and indexes', async () => {
    const a = await withCollection();
    await a.call('/v3/indexes/create', {
      collectionId: 'products',
      index: { name: 'k', fields: [{ path: 'p' }] },
    });
    const upd = await a.call('/v3/collections/update', {
      collection: { id: 'products', fields: [{ key: 'price', type: 'NUMBER' }] },
    });
    expect(upd.status).toBe(200);
    expect((await list(a)).body.indexes.map((i: { name: string }) => i.name)).toEqual(['k']);
    expect((await list(a, 'nope')).status).toBe(404);
    expect(
      (
        await a.call('/v3/indexes/create', {
          collectionId: 'nope',
          index: { name: 'k', fields: [{ path: 'p' }] },
        })
      ).status,
    ).toBe(404);
    const missing = await a.call('/v3/indexes/remove', { collectionId: 'products', indexName: 'zzz' });
    expect(missing.status).toBe(404);
    expect(missing.body.errorCode).toBe('INDEX_NOT_FOUND');
    expect((await a.call('/v3/indexes/remove', { collectionId: 'products' })).status).toBe(400);
    expect((await a.call('/v3/indexes/list', {})).status).toBe(400);
  });
});

async function getRecord(a: TestAdaptor) {
  const { requireCollection } = await import('../../lambda/store/collections');
  return (await requireCollection(a.deps.db, a.tenant, 'products')).record;
}
