/** Collections against DynamoDB Local, through the real V3 edge (signed requests). */
import { FIELD_TYPES, SUPPORTED_FIELD_TYPES, capabilitiesFor } from '../../lambda/service/fieldTypes';
import { createTestAdaptor } from '../helpers/adaptor';

const allTypeFields = SUPPORTED_FIELD_TYPES.map((type) => {
  const key = `f_${type.toLowerCase()}`;
  if (type === 'MULTI_REFERENCE')
    return { key, type, multiReferenceOptions: { referencedCollectionId: 'other' } };
  if (type === 'REFERENCE') return { key, type, singleReferenceOptions: { referencedCollectionId: 'other' } };
  return { key, type, displayName: `Field ${type}`, encrypted: false };
});

describe('collections against DynamoDB Local', () => {
  it('round-trips a collection with every field type, with honest capabilities', async () => {
    const a = createTestAdaptor();
    const create = await a.call('/v3/collections/create', {
      collection: { id: 'everything', displayName: 'Everything', fields: allTypeFields },
    });
    expect(create.status).toBe(200);
    const got = await a.call('/v3/collections/get', { collectionIds: ['everything'] });
    expect(got.status).toBe(200);
    expect(got.body.collections).toHaveLength(1);
    const c = got.body.collections[0];
    expect(c).toEqual(create.body.collection);
    expect(c.id).toBe('everything');
    expect(c.displayName).toBe('Everything');
    expect(c.pagingMode).toBe('OFFSET');
    expect(Array.isArray(c.capabilities.dataOperations)).toBe(true);
    for (const f of allTypeFields) {
      const out = c.fields.find((x: { key: string }) => x.key === f.key);
      expect(out).toMatchObject({ key: f.key, type: f.type });
      expect(out.capabilities).toEqual(capabilitiesFor(f.type));
    }
    expect(
      c.fields.find((f: { key: string }) => f.key === 'f_multi_reference').multiReferenceOptions,
    ).toEqual({
      referencedCollectionId: 'other',
    });
    expect(c.fields.slice(0, 4).map((f: { key: string }) => f.key)).toEqual([
      '_id',
      '_createdDate',
      '_updatedDate',
      '_owner',
    ]);
  });

  it('accepts every Wix field type name, including legacy ones and SINGLE_REFERENCE', async () => {
    const a = createTestAdaptor();
    const fields = [
      ...FIELD_TYPES.map((type, i) => ({
        key: `k${i}`,
        type,
        ...(type === 'MULTI_REFERENCE' ? { multiReferenceOptions: { referencedCollectionId: 'x' } } : {}),
      })),
      { key: 'sref', type: 'SINGLE_REFERENCE' },
    ];
    const res = await a.call('/v3/collections/create', { collection: { id: 'legacy-types', fields } });
    expect(res.status).toBe(200);
    expect(res.body.collection.fields.find((f: { key: string }) => f.key === 'sref').type).toBe('REFERENCE');
  });

  it('keeps tenants apart', async () => {
    const a = createTestAdaptor();
    const b = createTestAdaptor();
    await a.call('/v3/collections/create', { collection: { id: 'private', fields: [] } });
    expect((await b.call('/v3/collections/get', {})).body.collections).toEqual([]);
    expect((await b.call('/v3/collections/get', { collectionIds: ['private'] })).body.collections).toEqual(
      [],
    );
    expect((await b.call('/v3/collections/delete', { collectionId: 'private' })).status).toBe(404);
    expect(
      (await b.call('/v3/collections/update', { collection: { id: 'private', fields: [] } })).status,
    ).toBe(404);
    // B may have its own collection with the same id, independent of A's.
    expect(
      (
        await b.call('/v3/collections/create', {
          collection: { id: 'private', fields: [{ key: 'x', type: 'NUMBER' }] },
        })
      ).status,
    ).toBe(200);
    const aFields = (await a.call('/v3/collections/get', {})).body.collections[0].fields.map(
      (f: { key: string }) => f.key,
    );
    expect(aFields).not.toContain('x');
  });

  it('keeps tenants whose ids share a prefix or contain separators apart', async () => {
    const a = createTestAdaptor({ tenant: 'shop#1' });
    const b = createTestAdaptor({ tenant: 'shop' });
    await a.call('/v3/collections/create', { collection: { id: 'c', fields: [] } });
    expect((await b.call('/v3/collections/get', {})).body.collections).toEqual([]);
  });

  it('refuses a second create with 409 and leaves the first intact', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', {
      collection: { id: 'dup', fields: [{ key: 'a', type: 'TEXT' }] },
    });
    const again = await a.call('/v3/collections/create', { collection: { id: 'dup', fields: [] } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      errorCode: 'COLLECTION_ALREADY_EXISTS',
      data: { collectionId: 'dup' },
    });
    const got = await a.call('/v3/collections/get', { collectionIds: ['dup'] });
    expect(got.body.collections[0].fields.map((f: { key: string }) => f.key)).toContain('a');
  });

  it('lets exactly one of many concurrent creates of the same id win', async () => {
    const a = createTestAdaptor();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        a.call('/v3/collections/create', { collection: { id: 'race', fields: [] } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
  });

  it('updates: adds and drops fields, changes types, keeps system fields', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', {
      collection: {
        id: 'evolving',
        fields: [
          { key: 'a', type: 'TEXT' },
          { key: 'b', type: 'NUMBER' },
        ],
      },
    });
    const res = await a.call('/v3/collections/update', {
      collection: {
        id: 'evolving',
        displayName: 'Evolving',
        fields: [
          { key: 'a', type: 'RICH_TEXT' },
          { key: 'c', type: 'BOOLEAN' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const keys = res.body.collection.fields.map((f: { key: string; type: string }) => `${f.key}:${f.type}`);
    expect(keys).toEqual([
      '_id:TEXT',
      '_createdDate:DATETIME',
      '_updatedDate:DATETIME',
      '_owner:TEXT',
      'a:RICH_TEXT',
      'c:BOOLEAN',
    ]);
    const got = await a.call('/v3/collections/get', { collectionIds: ['evolving'] });
    expect(got.body.collections[0]).toEqual(res.body.collection);
  });

  it('reports unsupported changes per field with COLLECTION_CHANGE_NOT_SUPPORTED', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', {
      collection: {
        id: 'strict',
        fields: [
          { key: 'refs', type: 'MULTI_REFERENCE', multiReferenceOptions: { referencedCollectionId: 'x' } },
        ],
      },
    });
    const res = await a.call('/v3/collections/update', {
      collection: {
        id: 'strict',
        fields: [
          { key: 'refs', type: 'TEXT' },
          { key: '_id', type: 'NUMBER' },
          { key: 'weird', type: 'HOLOGRAM' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('COLLECTION_CHANGE_NOT_SUPPORTED');
    const byKey = Object.fromEntries(
      res.body.data.errors.map((e: { fieldKey: string; message: string }) => [e.fieldKey, e.message]),
    );
    expect(Object.keys(byKey).sort()).toEqual(['_id', 'refs', 'weird']);
    expect(byKey.weird).toMatch(/unknown field type/);
    // nothing was changed
    const got = await a.call('/v3/collections/get', { collectionIds: ['strict'] });
    expect(got.body.collections[0].fields.find((f: { key: string }) => f.key === 'refs').type).toBe(
      'MULTI_REFERENCE',
    );
  });

  it('rejects bad collection shapes with 400 and a code', async () => {
    const a = createTestAdaptor();
    const cases: unknown[] = [
      {},
      { collection: 'x' },
      { collection: { id: '' } },
      { collection: { id: 'a/b' } },
      { collection: { id: 'a#b' } },
      { collection: { id: 'x'.repeat(300) } },
      { collection: { id: 'ok', fields: 'nope' } },
      { collection: { id: 'ok', fields: [{ key: 'a.b', type: 'TEXT' }] } },
      { collection: { id: 'ok', fields: [{ key: '$x', type: 'TEXT' }] } },
      { collection: { id: 'ok', fields: [{ type: 'TEXT' }] } },
      { collection: { id: 'ok', fields: [{ key: 'a', type: 'TEXT', encrypted: 'yes' }] } },
      { collection: { id: 'ok', permissions: { read: 'EVERYBODY' } } },
    ];
    for (const request of cases) {
      const res = await a.call('/v3/collections/create', request);
      expect([res.status, res.body.errorCode]).toEqual([400, 'VALIDATION_ERROR']);
    }
    const dupes = await a.call('/v3/collections/create', {
      collection: {
        id: 'ok',
        fields: [
          { key: 'a', type: 'TEXT' },
          { key: 'a', type: 'TEXT' },
        ],
      },
    });
    expect(dupes.body.errorCode).toBe('COLLECTION_CHANGE_NOT_SUPPORTED');
    expect((await a.call('/v3/collections/get', {})).body.collections).toEqual([]);
  });

  it('deletes, then answers 404 for the deleted collection', async () => {
    const a = createTestAdaptor();
    await a.call('/v3/collections/create', { collection: { id: 'gone', fields: [] } });
    expect(await a.call('/v3/collections/delete', { collectionId: 'gone' })).toEqual({
      status: 200,
      body: {},
    });
    expect((await a.call('/v3/collections/delete', { collectionId: 'gone' })).status).toBe(404);
    expect((await a.call('/v3/collections/get', {})).body.collections).toEqual([]);
    expect((await a.call('/v3/collections/delete', {})).status).toBe(400);
  });

  it('answers capabilities honestly', async () => {
    const a = createTestAdaptor();
    const res = await a.call('/v3/capabilities/get', {});
    expect(res.status).toBe(200);
    expect(res.body.supportsCollectionModifications).toBe(true);
    expect(res.body.supportedFieldTypes).toEqual(
      expect.arrayContaining(['TEXT', 'NUMBER', 'DATETIME', 'MULTI_REFERENCE']),
    );
    expect(res.body.indexOptions).toEqual({
      supportsIndexes: true,
      maxNumberOfRegularIndexesPerCollection: 5,
      maxNumberOfUniqueIndexesPerCollection: 5,
      maxNumberOfIndexesPerCollection: 5,
    });
  });
});
