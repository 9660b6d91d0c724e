/**
 * Invalid filters, sorts and paging: through parseFilter (the ValidationError and its violation) and
 * through the signed HTTP edge (400, VALIDATION_ERROR, a message naming the problem; never a 500).
 */
import { ValidationError } from '../../../lambda/errors';
import { MAX_DEPTH, MAX_PREDICATES, parseFilter } from '../../../lambda/query/parse';
import { createTestAdaptor, purgesIdle, type TestAdaptor } from '../../helpers/adaptor';

function deepAnd(depth: number): unknown {
  let f: unknown = { n: 1 };
  for (let i = 0; i < depth; i++) f = { $and: [f] };
  return f;
}
function deepNot(depth: number): unknown {
  let f: unknown = { n: 1 };
  for (let i = 0; i < depth; i++) f = { $not: [f] };
  return f;
}
function deepFieldNot(depth: number): unknown {
  let op: unknown = { $eq: 1 };
  for (let i = 0; i < depth; i++) op = { $not: op };
  return { n: op };
}
function deepValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return { obj: v };
}
function manyKeys(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, i]));
}

/** [name, filter, fieldPath of the violation, fragment of the message] */
const INVALID: [string, unknown, string, string][] = [
  ['$regex on a field', { t: { $regex: 'a.*' } }, 'filter.t.$regex', 'unknown operator $regex'],
  ['$where at top level', { $where: 'this.a == 1' }, 'filter.$where', 'unknown operator $where'],
  ['$nor at top level', { $nor: [{ a: 1 }] }, 'filter.$nor', 'unknown operator $nor'],
  [
    'operators mixed with plain keys',
    { t: { $gt: 1, plain: 2 } },
    'filter.t',
    'operators and plain keys cannot be mixed',
  ],
  ['$in not an array', { n: { $in: 5 } }, 'filter.n.$in', '$in expects an array'],
  ['$nin not an array', { n: { $nin: 'x' } }, 'filter.n.$nin', '$in expects an array'],
  ['$hasSome not an array', { n: { $hasSome: { a: 1 } } }, 'filter.n.$hasSome', '$hasSome expects an array'],
  ['$hasAll not an array', { u: { $hasAll: null } }, 'filter.u.$hasAll', '$hasAll expects an array'],
  [
    '$in with 1001 values',
    { n: { $in: Array.from({ length: 1001 }, (_, i) => i) } },
    'filter.n.$in',
    'at most 1000 values',
  ],
  [
    '$gt with an array',
    { n: { $gt: [1] } },
    'filter.n.$gt',
    '$gt expects a string, number, boolean or {"$date": ...}',
  ],
  [
    '$lte with an object',
    { n: { $lte: { a: 1 } } },
    'filter.n.$lte',
    '$lte expects a string, number, boolean',
  ],
  ['$lt with null', { n: { $lt: null } }, 'filter.n.$lt', '$lt expects a string, number, boolean'],
  [
    '$gte with a bad date',
    { n: { $gte: { $date: 'yesterday' } } },
    'filter.n.$gte',
    'is not an ISO-8601 date',
  ],
  ['shorthand with a bad date', { n: { $date: '2020-13-45' } }, 'filter.n', 'is not an ISO-8601 date'],
  ['$exists non-boolean', { n: { $exists: 'yes' } }, 'filter.n.$exists', '$exists expects true or false'],
  ['$isEmpty non-boolean', { n: { $isEmpty: 1 } }, 'filter.n.$isEmpty', '$isEmpty expects true or false'],
  ['$contains non-string', { t: { $contains: 5 } }, 'filter.t.$contains', '$contains expects a string'],
  [
    '$startsWith non-string',
    { t: { $startsWith: null } },
    'filter.t.$startsWith',
    '$startsWith expects a string',
  ],
  ['$urlized non-string', { t: { $urlized: 1 } }, 'filter.t.$urlized', 'expects a string'],
  [
    '$matches without spec',
    { t: { $matches: { ignoreCase: true } } },
    'filter.t.$matches',
    'spec must be an array',
  ],
  [
    '$matches with a bad part',
    { t: { $matches: { spec: [{ type: 'regex', value: '.*' }] } } },
    'filter.t.$matches',
    'each spec part is {type: "literal" | "anyOf", value: string}',
  ],
  [
    '$matches with an empty anyOf',
    { t: { $matches: { spec: [{ type: 'anyOf', value: '' }] } } },
    'filter.t.$matches',
    'an anyOf part needs at least one character',
  ],
  [
    '$not array of 2',
    { $not: [{ a: 1 }, { b: 2 }] },
    'filter.$not',
    '$not expects an object or an array of exactly one filter',
  ],
  [
    '$not empty array',
    { $not: [] },
    'filter.$not',
    '$not expects an object or an array of exactly one filter',
  ],
  ['field $not array of 2', { a: { $not: [{ $eq: 1 }, { $eq: 2 }] } }, 'filter.a.$not', 'exactly one filter'],
  [
    'field $not of a value',
    { a: { $not: 5 } },
    'filter.a.$not',
    '$not on a field expects an operator object',
  ],
  [
    'field $not of a plain object',
    { a: { $not: { b: 1 } } },
    'filter.a.$not',
    '$not on a field expects an operator object',
  ],
  ['$and not an array', { $and: { a: 1 } }, 'filter.$and', '$and expects an array of filters'],
  ['$or not an array', { $or: 'x' }, 'filter.$or', '$or expects an array of filters'],
  ['$and element not an object', { $and: [1] }, 'filter.$and[0]', 'a filter must be an object'],
  ['filter is an array', [{ a: 1 }], 'filter', 'a filter must be an object'],
  ['filter is a string', 'a = 1', 'filter', 'a filter must be an object'],
  ['empty field path segment', { 'a..b': 1 }, 'filter.a..b', 'non-empty dot-separated keys'],
  ['empty field name', { '': 1 }, 'filter.', 'non-empty dot-separated keys'],
  [
    'field path over 1024 characters',
    { ['x'.repeat(1025)]: 1 },
    `filter.${'x'.repeat(993)}`,
    'non-empty dot-separated keys',
  ],
  ['$and nested 1,000 deep', deepAnd(1000), '', `nested at most ${MAX_DEPTH} levels deep`],
  ['$not nested 1,000 deep', deepNot(1000), '', `nested at most ${MAX_DEPTH} levels deep`],
  ['field $not nested 1,000 deep', deepFieldNot(1000), '', `nested at most ${MAX_DEPTH} levels deep`],
  ['a value nested 1,000 deep', deepValue(1000), 'filter.obj', 'the value is nested too deeply'],
  ['over-many predicates', manyKeys(MAX_PREDICATES + 1), 'filter', `at most ${MAX_PREDICATES} conditions`],
];

describe('parseFilter refuses invalid filters', () => {
  it.each(INVALID)('%s', (_name, filter, fieldPath, fragment) => {
    let caught: unknown;
    try {
      parseFilter(filter);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.status).toBe(400);
    expect(err.message).toContain(fragment);
    const violations = (err.data as { violations: { fieldPath: string; message: string }[] }).violations;
    expect(violations).toHaveLength(1);
    if (fieldPath) expect(violations[0]!.fieldPath).toBe(fieldPath.slice(0, 1000)); // violations are clipped
    expect(violations[0]!.message).toContain(fragment.replace(/^\$\w+ /, ''));
  });

  it('accepts the limits themselves', () => {
    expect(() => parseFilter(deepAnd(MAX_DEPTH - 1))).not.toThrow();
    expect(() => parseFilter(manyKeys(MAX_PREDICATES))).not.toThrow();
    expect(() => parseFilter({ n: { $in: Array.from({ length: 1000 }, (_, i) => i) } })).not.toThrow();
  });

  it('applies the field policy with the operator capability', () => {
    const policy = (field: string, cap: string) =>
      field === 'n' && cap !== 'EQ' ? `no ${cap} on n` : undefined;
    expect(() => parseFilter({ n: 1 }, policy)).not.toThrow();
    expect(() => parseFilter({ n: { $isEmpty: true } }, policy)).not.toThrow(); // $isEmpty needs EQ
    for (const [filter, cap] of [
      [{ n: { $ne: 1 } }, 'NE'],
      [{ n: { $nin: [1] } }, 'NE'],
      [{ n: { $in: [1] } }, 'HAS_SOME'],
      [{ n: { $hasSome: [1] } }, 'HAS_SOME'],
      [{ n: { $hasAll: [1] } }, 'HAS_ALL'],
      [{ n: { $gte: 1 } }, 'GTE'],
      [{ n: { $exists: true } }, 'EXISTS'],
      [{ n: { $matches: { spec: [] } } }, 'URLIZED'],
      [{ n: { $urlized: 'x' } }, 'URLIZED'],
      [{ n: { $endsWith: 'x' } }, 'ENDS_WITH'],
      [{ $or: [{ m: 1 }, { n: { $not: { $lt: 1 } } }] }, 'LT'],
    ] as const) {
      expect(() => parseFilter(filter, policy)).toThrow(`no ${cap} on n`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

const FIELDS = [
  { key: 'n', type: 'NUMBER' },
  { key: 't', type: 'TEXT' },
  { key: 'flag', type: 'BOOLEAN' },
  { key: 'tags', type: 'ARRAY_STRING' },
  { key: 'arr', type: 'ARRAY' },
  { key: 'obj', type: 'OBJECT' },
  { key: 'when', type: 'DATETIME' },
  { key: 'secret', type: 'TEXT', encrypted: true },
];

describe('through HTTP', () => {
  let a: TestAdaptor;
  beforeAll(async () => {
    a = createTestAdaptor();
    expect((await a.call('/v3/collections/create', { collection: { id: 'c', fields: FIELDS } })).status).toBe(
      200,
    );
    expect(
      (await a.call('/v3/collections/create', { collection: { id: 'c2', fields: FIELDS } })).status,
    ).toBe(200);
    const items = Array.from({ length: 12 }, (_, i) => ({ _id: `i${String(i).padStart(2, '0')}`, n: i }));
    expect((await a.call('/v3/items/insert', { collectionId: 'c', items })).status).toBe(200);
    expect((await a.call('/v3/items/insert', { collectionId: 'c2', items })).status).toBe(200);
  });

  async function expect400(path: string, request: unknown, fragment: string, options?: { tenant?: string }) {
    const res = await a.call(path, request, options);
    expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({
      status: 400,
      errorCode: 'VALIDATION_ERROR',
    });
    expect(res.body.errorMessage).toContain(fragment);
    expect(res.body.data.violations.length).toBeGreaterThan(0);
    return res;
  }

  const query = (q: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    collectionId: 'c',
    query: q,
    ...extra,
  });

  it.each(INVALID)('query refuses: %s', async (_name, filter, _fieldPath, fragment) => {
    await expect400('/v3/items/query', query({ filter }), fragment);
  });

  it.each(INVALID.filter(([name]) => /1,000 deep|over-many|\$regex|\$where/.test(name)))(
    'count refuses: %s',
    async (_name, filter, _fieldPath, fragment) => {
      await expect400('/v3/items/count', { collectionId: 'c', filter }, fragment);
    },
  );

  it.each([
    ['$contains on a NUMBER field', { n: { $contains: '1' } }, 'field n (NUMBER) does not support CONTAINS'],
    ['$urlized on a NUMBER field', { n: { $urlized: '1' } }, 'field n (NUMBER) does not support URLIZED'],
    ['$hasAll on a NUMBER field', { n: { $hasAll: [1] } }, 'field n (NUMBER) does not support HAS_ALL'],
    ['$gt on a BOOLEAN field', { flag: { $gt: false } }, 'field flag (BOOLEAN) does not support GT'],
    ['$lte on a BOOLEAN field', { flag: { $lte: true } }, 'field flag (BOOLEAN) does not support LTE'],
    [
      '$startsWith on an ARRAY_STRING field',
      { tags: { $startsWith: 'a' } },
      'field tags (ARRAY_STRING) does not support STARTS_WITH',
    ],
    ['$gt on an ARRAY_STRING field', { tags: { $gt: 'a' } }, 'field tags (ARRAY_STRING) does not support GT'],
    ['$hasAll on a TEXT field', { t: { $hasAll: ['a'] } }, 'field t (TEXT) does not support HAS_ALL'],
    [
      '$contains on an OBJECT field',
      { obj: { $contains: 'a' } },
      'field obj (OBJECT) does not support CONTAINS',
    ],
    ['$in on an OBJECT field', { obj: { $in: [{}] } }, 'field obj (OBJECT) does not support HAS_SOME'],
    [
      '$contains on a DATETIME field',
      { when: { $contains: '2020' } },
      'field when (DATETIME) does not support CONTAINS',
    ],
    ['$gt on an encrypted field', { secret: { $gt: 'a' } }, 'field secret (TEXT) does not support GT'],
    [
      '$hasSome on the system _createdDate',
      { _createdDate: { $startsWith: '2' } },
      'field _createdDate (DATETIME) does not support STARTS_WITH',
    ],
    ['$hasAll on _id', { _id: { $hasAll: ['a'] } }, 'field _id (TEXT) does not support HAS_ALL'],
    [
      'inside $or / $not',
      { $or: [{ n: 1 }, { $not: { flag: { $gt: true } } }] },
      'field flag (BOOLEAN) does not support GT',
    ],
    ['field-level $not', { n: { $not: { $endsWith: '1' } } }, 'field n (NUMBER) does not support ENDS_WITH'],
  ])('refuses an operator the field does not advertise: %s', async (_name, filter, fragment) => {
    const res = await expect400('/v3/items/query', query({ filter }), fragment);
    expect(res.body.errorMessage).toContain('it supports');
    await expect400('/v3/items/count', { collectionId: 'c', filter }, fragment);
  });

  it('advertises exactly what it enforces', async () => {
    const got = await a.call('/v3/collections/get', { collectionIds: ['c'] });
    const n = got.body.collections[0].fields.find((f: { key: string }) => f.key === 'n');
    expect(n.capabilities.queryOperators).not.toContain('CONTAINS');
    const flag = got.body.collections[0].fields.find((f: { key: string }) => f.key === 'flag');
    expect(flag.capabilities.queryOperators).not.toContain('GT');
    const tags = got.body.collections[0].fields.find((f: { key: string }) => f.key === 'tags');
    expect(tags.capabilities.sortable).toBe(false);
  });

  it('accepts every operator on an undeclared field and on a path inside a declared OBJECT', async () => {
    for (const filter of [
      { undeclared: { $contains: 'x', $gt: 1 } },
      { 'obj.city': { $startsWith: 'P', $gte: 'A' } },
      { 'obj.city': { $hasAll: ['x'] } },
    ]) {
      const res = await a.call('/v3/items/query', query({ filter }));
      expect(res.status).toBe(200);
    }
  });

  it.each([
    ['an ARRAY field', [{ fieldName: 'arr', order: 'ASC' }], 'field arr (ARRAY) is not sortable'],
    [
      'an ARRAY_STRING field',
      [{ fieldName: 'tags', order: 'DESC' }],
      'field tags (ARRAY_STRING) is not sortable',
    ],
    [
      'an OBJECT field (second key)',
      [{ fieldName: 'n' }, { fieldName: 'obj' }],
      'field obj (OBJECT) is not sortable',
    ],
    ['an encrypted field', [{ fieldName: 'secret' }], 'field secret (TEXT) is not sortable'],
    ['order not ASC/DESC', [{ fieldName: 'n', order: 'asc' }], 'query.sort[0].order: must be ASC or DESC'],
    ['no fieldName', [{ order: 'ASC' }], 'query.sort[0].fieldName: must be a non-empty string'],
    ['not an array', { fieldName: 'n' }, 'query.sort: must be an array'],
    [
      '33 keys',
      Array.from({ length: 33 }, () => ({ fieldName: 'n' })),
      'query.sort: must be an array of at most 32',
    ],
  ])('refuses a sort on %s', async (_name, sort, fragment) => {
    await expect400('/v3/items/query', query({ sort }), fragment);
  });

  it.each([
    ['limit 0', { paging: { limit: 0 } }, 'query.paging.limit: must be an integer from 1 to 1000'],
    ['limit 1001', { paging: { limit: 1001 } }, 'query.paging.limit: must be an integer from 1 to 1000'],
    ['limit 2.5', { paging: { limit: 2.5 } }, 'query.paging.limit: must be an integer from 1 to 1000'],
    ['limit "10"', { paging: { limit: '10' } }, 'query.paging.limit: must be an integer from 1 to 1000'],
    ['limit -1', { paging: { limit: -1 } }, 'query.paging.limit'],
    [
      'negative offset',
      { paging: { limit: 10, offset: -1 } },
      'query.paging.offset: must be an integer from 0',
    ],
    ['fractional offset', { paging: { offset: 1.5 } }, 'query.paging.offset'],
    ['string offset', { paging: { offset: '0' } }, 'query.paging.offset'],
    ['paging not an object', { paging: 10 }, 'query.paging: must be an object'],
    [
      'cursor limit 0',
      { cursorPaging: { limit: 0 } },
      'query.cursorPaging.limit: must be an integer from 1 to 1000',
    ],
    ['cursor limit 1001', { cursorPaging: { limit: 1001 } }, 'query.cursorPaging.limit'],
    ['cursor limit "10"', { cursorPaging: { limit: '10' } }, 'query.cursorPaging.limit'],
    ['cursor not a string', { cursorPaging: { cursor: 42 } }, 'query.cursorPaging.cursor: must be a string'],
    [
      'paging and cursorPaging together',
      { paging: { limit: 5 }, cursorPaging: { limit: 5 } },
      'paging and cursorPaging are exclusive',
    ],
  ])('refuses paging: %s', async (_name, q, fragment) => {
    await expect400('/v3/items/query', query(q), fragment);
  });

  it('refuses a non-boolean returnTotalCount', async () => {
    await expect400(
      '/v3/items/query',
      query({}, { returnTotalCount: 'yes' }),
      'returnTotalCount: must be true or false',
    );
  });

  describe('cursors', () => {
    async function firstCursor(collectionId = 'c'): Promise<string> {
      const res = await a.call('/v3/items/query', {
        collectionId,
        query: { filter: { n: { $gte: 0 } }, cursorPaging: { limit: 3 } },
      });
      expect(res.status).toBe(200);
      expect(typeof res.body.pagingMetadata.cursors.next).toBe('string');
      return res.body.pagingMetadata.cursors.next;
    }
    const follow = (cursor: string, collectionId = 'c') => ({
      collectionId,
      query: { cursorPaging: { cursor } },
    });

    it('works untouched (the baseline for the cases below)', async () => {
      const res = await a.call('/v3/items/query', follow(await firstCursor()));
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { _id: string }) => i._id)).toEqual(['i03', 'i04', 'i05']);
    });

    it.each([
      ['garbage', 'garbage', 'invalid cursor: not a cursor of this adaptor'],
      ['three parts', 'a.b.c', 'invalid cursor: not a cursor of this adaptor'],
      ['non-base64url characters', 'a+b.c/d', 'invalid cursor: not a cursor of this adaptor'],
      ['a forged signature', 'eyJjIjoiYyJ9.AAAAAAAAAAAAAAAAAAAAAAAA', 'invalid cursor: signature mismatch'],
      ['over 64 KiB', 'a'.repeat(64 * 1024 + 1), 'invalid cursor: not a cursor of this adaptor'],
    ])('refuses %s', async (_name, cursor, fragment) => {
      await expect400('/v3/items/query', follow(cursor), fragment);
    });

    it('refuses a tampered body and a tampered signature', async () => {
      const cursor = await firstCursor();
      const [body, sig] = cursor.split('.') as [string, string];
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      await expect400('/v3/items/query', follow(`${flip(body, 3)}.${sig}`), 'signature mismatch');
      await expect400('/v3/items/query', follow(`${body}.${flip(sig, 2)}`), 'signature mismatch');
      await expect400('/v3/items/query', follow(`${body}.${sig.slice(0, -2)}`), 'signature mismatch');
    });

    it('refuses a cursor from another tenant (same collection id)', async () => {
      const cursor = await firstCursor();
      const other = `tenant-other-${Date.now()}`;
      const create = await a.call(
        '/v3/collections/create',
        { collection: { id: 'c', fields: FIELDS } },
        { tenant: other },
      );
      expect(create.status).toBe(200);
      await expect400('/v3/items/query', follow(cursor), 'signature mismatch', { tenant: other });
    });

    it('refuses a cursor for another collection', async () => {
      const cursor = await firstCursor('c');
      await expect400(
        '/v3/items/query',
        follow(cursor, 'c2'),
        'invalid cursor: issued for another collection',
      );
    });

    it('refuses a cursor after truncate', async () => {
      const b = createTestAdaptor({ deps: a.deps });
      await b.call('/v3/collections/create', { collection: { id: 'c', fields: FIELDS } });
      await b.call('/v3/items/insert', {
        collectionId: 'c',
        items: Array.from({ length: 8 }, (_, i) => ({ _id: `x${i}`, n: i })),
      });
      const first = await b.call('/v3/items/query', {
        collectionId: 'c',
        query: { cursorPaging: { limit: 2 } },
      });
      const cursor = first.body.pagingMetadata.cursors.next as string;
      expect((await b.call('/v3/items/truncate', { collectionId: 'c' })).status).toBe(200);
      await purgesIdle(b);
      const res = await b.call('/v3/items/query', follow(cursor));
      expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({
        status: 400,
        errorCode: 'VALIDATION_ERROR',
      });
      expect(res.body.errorMessage).toContain('the collection was truncated since it was issued');
    });
  });
});
