/**
 * Issue 7, part 1: fuzzing request bodies. fast-check generates `data.request` for random V3
 * operations on an existing collection (mostly near-valid shapes: the right collection id with random
 * filters, sorts, paging, cursors, items and references; sometimes any JSON at all), signs it like Wix
 * and sends it through the real dispatch pipeline in process (real JWT verification, DynamoDB Local).
 * Property: never a 5xx (except one whose DynamoDB error proves a bug already pinned by the corpus,
 * counted and printed), always a JSON object, every error with an errorCode, Object.prototype intact.
 *
 * Fixed seed (override with FUZZ_SEED, runs with FUZZ_RUNS); a failure prints the seed and the
 * shrunk counterexample.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { logger } from '../../lambda/log';

jest.setTimeout(300_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_107);
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const COLLECTION = 'fuzz';
const TARGET = 'fuzz-targets';
const SCRATCH = ['fuzz-scratch-0', 'fuzz-scratch-1', 'fuzz-scratch-2'];

const PATHS = {
  capabilities: '/v3/capabilities/get',
  collectionsGet: '/v3/collections/get',
  collectionsCreate: '/v3/collections/create',
  collectionsUpdate: '/v3/collections/update',
  collectionsDelete: '/v3/collections/delete',
  query: '/v3/items/query',
  count: '/v3/items/count',
  aggregate: '/v3/items/aggregate',
  distinct: '/v3/items/query-distinct-values',
  insert: '/v3/items/insert',
  update: '/v3/items/update',
  remove: '/v3/items/remove',
  truncate: '/v3/items/truncate',
  queryReferenced: '/v3/items/query-referenced',
  insertReferences: '/v3/items/insert-references',
  removeReferences: '/v3/items/remove-references',
} as const;

/**
 * Kept out of generation: lone UTF-16 surrogates (generated strings are well-formed) and nesting
 * deeper than 6; the corpus covers both. Any 5xx fails the property.
 */

// ---------------------------------------------------------------------------------------------
// arbitraries

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
/** Dotted paths through a prototype (issue 10): grouping fields, projections, sorts, filters. */
const DANGEROUS_PATHS = [
  '__proto__.zz',
  'constructor.prototype',
  'constructor.prototype.zz',
  'prototype.zz',
  'obj.__proto__.polluted',
  'toString.call',
  '__proto__.__proto__.zz',
];
const FIELDS = ['title', 'n', 'tags', 'when', 'obj', 'obj.a', 'obj.a.b', 'flag', 'refs', 'single'];
const SYSTEM = ['_id', '_owner', '_createdDate', '_updatedDate'];

/** Well-formed strings (no lone surrogates), short. */
const str = (maxLength = 12) => fc.string({ unit: 'grapheme', maxLength });
const smallStr = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'A', 'x', 'seed', 'Seed 1', '', ' ', 'é', '😀', 'null', '0') },
  { weight: 2, arbitrary: str() },
);
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIELDS, ...SYSTEM) },
  { weight: 2, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...DANGEROUS_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom('$date', '$eq', '$and', '$encrypted', '', '.', 'a..b', '$') },
  { weight: 2, arbitrary: str(10) },
);

/** An object built with own properties only, whatever the keys (`__proto__` included). */
function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const { anyJson } = fc.letrec<{ anyJson: unknown }>((tie) => ({
  anyJson: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 5 },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    smallStr,
    fc.record({
      $date: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        smallStr,
      ),
    }),
    fc.array(tie('anyJson'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('anyJson')), { maxLength: 4 }).map(ownObject),
  ),
}));
/** Any JSON, from fast-check's own generator too. */
const json = fc.oneof(
  { weight: 3, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);
/** Usually `arb`, sometimes anything, sometimes absent (undefined keys vanish in JSON). */
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 12, arbitrary: arb },
    { weight: 1, arbitrary: json },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const value = fc.oneof(
  { weight: 3, arbitrary: smallStr },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 30 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc
      .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => ({ $date: d.toISOString() })),
  },
  { weight: 1, arbitrary: fc.array(smallStr, { maxLength: 4 }) },
  { weight: 1, arbitrary: anyJson },
);
const OPS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$hasSome',
  '$hasAll',
  '$contains',
  '$startsWith',
  '$endsWith',
  '$exists',
  '$matches',
  '$urlized',
  '$isEmpty',
  '$not',
  '$regex',
  '$bogus',
];
const operand = fc.oneof(
  value,
  fc.array(value, { maxLength: 6 }),
  fc.boolean(),
  fc.record({
    ignoreCase: fc.boolean(),
    spec: fc.array(fc.record({ type: fc.constantFrom('literal', 'anyOf', 'other'), value: smallStr }), {
      maxLength: 4,
    }),
  }),
);
const { filter } = fc.letrec<{ filter: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    fc.tuple(key, value).map(([k, v]) => ownObject([[k, v]])),
    fc
      .tuple(key, fc.array(fc.tuple(fc.constantFrom(...OPS), operand), { minLength: 1, maxLength: 3 }))
      .map(([k, ops]) => ownObject([[k, ownObject(ops)]])),
    fc
      .tuple(key, fc.constantFrom(...OPS), operand)
      .map(([k, op, v]) => ownObject([[k, ownObject([['$not', ownObject([[op, v]])]])]])),
  ),
  filter: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    tie('leaf'),
    fc.constant({}),
    fc.array(tie('filter'), { maxLength: 12 }).map(($and) => ({ $and })),
    fc.array(tie('filter'), { maxLength: 12 }).map(($or) => ({ $or })),
    tie('filter').map(($not) => ({ $not })),
    tie('filter').map((f) => ({ $not: [f] })),
    fc.array(fc.tuple(key, value), { maxLength: 5 }).map(ownObject),
  ),
}));
const maybeFilter = fc.oneof(
  { weight: 8, arbitrary: filter },
  { weight: 1, arbitrary: json },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const sort = maybe(
  fc.array(
    fc.record(
      { fieldName: maybe(key), order: maybe(fc.constantFrom('ASC', 'DESC', 'asc', 'desc')) },
      { requiredKeys: [] },
    ),
    { maxLength: 4 },
  ),
);
const limit = fc.oneof(
  fc.integer({ min: -2, max: 1002 }),
  fc.constantFrom(0, 1, 2, 50, 1000, 1001, 1.5, '10'),
  fc.constant(undefined),
);

let cursors: string[] = [];
const cursor = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .integer({ min: 0, max: 1000 })
      .map((i) => cursors[i % Math.max(1, cursors.length)] ?? 'none'),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom('A', '_', '-', '.', ''),
      )
      .map(([i, pos, ch]) => {
        const c = cursors[i % Math.max(1, cursors.length)] ?? 'none';
        const at = pos % (c.length + 1);
        return c.slice(0, at) + ch + c.slice(at + 1);
      }),
  },
  { weight: 1, arbitrary: smallStr },
  { weight: 1, arbitrary: json },
);
const paging = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      paging: maybe(
        fc.record(
          { limit, offset: fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constant(undefined)) },
          { requiredKeys: [] },
        ),
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ cursorPaging: maybe(fc.record({ limit, cursor }, { requiredKeys: [] })) }),
  },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.record({ paging: json, cursorPaging: json }) },
);
const collectionId = fc.oneof(
  { weight: 20, arbitrary: fc.constant(COLLECTION) },
  { weight: 3, arbitrary: fc.constant(TARGET) },
  { weight: 1, arbitrary: fc.constantFrom('nope', '', '__proto__', 'constructor', 'a/b', '..', 'fuzz#x') },
  { weight: 1, arbitrary: json },
);
const itemId = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 29 }).map((i) => `f${i}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', '', 'a#b', 'x'.repeat(1025), 'é'.repeat(513)),
  },
  { weight: 1, arbitrary: str(20) },
  { weight: 1, arbitrary: json },
);
const item = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: itemId }, { weight: 1, arbitrary: fc.constant(undefined) }),
    fc.array(fc.tuple(key, value), { maxLength: 6 }),
  )
  .map(([id, entries]) => ownObject(id === undefined ? entries : [['_id', id], ...entries]));
const items = maybe(
  fc.array(fc.oneof({ weight: 8, arbitrary: item }, { weight: 1, arbitrary: json }), {
    minLength: 0,
    maxLength: 6,
  }),
);
const bool = maybe(fc.boolean());
const fieldType = fc.constantFrom(
  'TEXT',
  'NUMBER',
  'BOOLEAN',
  'DATETIME',
  'DATE',
  'OBJECT',
  'ARRAY',
  'ARRAY_STRING',
  'REFERENCE',
  'MULTI_REFERENCE',
  'ANY',
  'NOPE',
  'text',
);
const fieldDef = fc.record(
  {
    key: maybe(key),
    type: maybe(fieldType),
    displayName: maybe(smallStr),
    encrypted: bool,
    multiReferenceOptions: maybe(
      fc.record({ referencedCollectionId: maybe(fc.constantFrom(TARGET, COLLECTION, 'nope')) }),
    ),
    singleReferenceOptions: maybe(
      fc.record({ referencedCollectionId: maybe(fc.constantFrom(TARGET, COLLECTION, 'nope')) }),
    ),
  },
  { requiredKeys: ['key', 'type'] },
);
const collection = (ids: fc.Arbitrary<unknown>) =>
  maybe(
    fc.record(
      {
        id: ids,
        displayName: maybe(smallStr),
        fields: maybe(fc.array(fieldDef, { maxLength: 5 })),
        permissions: maybe(json),
      },
      { requiredKeys: ['id'] },
    ),
  );
const references = maybe(
  fc.array(
    fc.record({
      referringItemId: maybe(itemId),
      referencedItemId: maybe(fc.oneof(fc.constantFrom('g0', 'g1', 'g2', 'g3'), itemId)),
    }),
    { maxLength: 5 },
  ),
);
const refKey = maybe(fc.oneof({ weight: 5, arbitrary: fc.constant('refs') }, { weight: 1, arbitrary: key }));
const AGG_KINDS = ['sum', 'average', 'min', 'max', 'itemCount', 'count', 'bogus'];
const aggregation = maybe(
  fc.record(
    {
      groupingFields: maybe(fc.array(key, { maxLength: 3 })),
      operations: maybe(
        fc.array(
          fc
            .tuple(
              maybe(key),
              fc.constantFrom(...AGG_KINDS),
              maybe(fc.record({ itemFieldName: maybe(key) }, { requiredKeys: [] })),
            )
            .map(([resultFieldName, kind, body]) =>
              ownObject([
                ['resultFieldName', resultFieldName],
                [kind, body],
              ]),
            ),
          { maxLength: 3 },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

type Req = { op: keyof typeof PATHS; request: unknown };
const req = <K extends keyof typeof PATHS>(op: K, request: fc.Arbitrary<unknown>): fc.Arbitrary<Req> =>
  request.map((r) => ({ op, request: r }));
const withPaging = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(base, paging).map(([b, p]) => ({ ...b, ...p }));

const requestArb: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 6,
    arbitrary: req(
      'query',
      fc.record(
        {
          collectionId,
          query: maybe(
            withPaging(
              fc.record(
                { filter: maybeFilter, sort, fields: maybe(fc.array(key, { maxLength: 4 })) },
                { requiredKeys: [] },
              ),
            ),
          ),
          returnTotalCount: bool,
          consistentRead: bool,
          includeReferencedItems: maybe(
            fc.array(fc.record({ fieldKey: refKey, limit, filter: maybeFilter }, { requiredKeys: [] }), {
              maxLength: 2,
            }),
          ),
        },
        { requiredKeys: ['collectionId'] },
      ),
    ),
  },
  {
    weight: 3,
    arbitrary: req(
      'count',
      fc.record(
        { collectionId, filter: maybeFilter, consistentRead: bool },
        { requiredKeys: ['collectionId'] },
      ),
    ),
  },
  {
    weight: 3,
    arbitrary: req(
      'aggregate',
      withPaging(
        fc.record(
          {
            collectionId,
            initialFilter: maybeFilter,
            aggregation,
            finalFilter: maybeFilter,
            sort,
            returnTotalCount: bool,
            consistentRead: bool,
          },
          { requiredKeys: ['collectionId'] },
        ),
      ),
    ),
  },
  {
    weight: 3,
    arbitrary: req(
      'distinct',
      withPaging(
        fc.record(
          {
            collectionId,
            fieldName: maybe(key),
            order: maybe(fc.constantFrom('ASC', 'DESC', 'asc')),
            filter: maybeFilter,
            returnTotalCount: bool,
            consistentRead: bool,
          },
          { requiredKeys: ['collectionId'] },
        ),
      ),
    ),
  },
  { weight: 4, arbitrary: req('insert', fc.record({ collectionId, items })) },
  { weight: 3, arbitrary: req('update', fc.record({ collectionId, items })) },
  {
    weight: 2,
    arbitrary: req('remove', fc.record({ collectionId, itemIds: maybe(fc.array(itemId, { maxLength: 5 })) })),
  },
  {
    weight: 3,
    arbitrary: req(
      'queryReferenced',
      withPaging(
        fc.record(
          {
            collectionId,
            referringFieldKey: refKey,
            referringItemIds: maybe(fc.array(itemId, { maxLength: 3 })),
            referencedItemIds: maybe(fc.array(itemId, { maxLength: 3 })),
            order: maybe(fc.constantFrom('ASC', 'DESC')),
            fieldsToReturn: maybe(fc.array(key, { maxLength: 3 })),
            includeReferencedItems: bool,
            returnTotalCount: bool,
            consistentRead: bool,
          },
          { requiredKeys: ['collectionId'] },
        ),
      ),
    ),
  },
  {
    weight: 2,
    arbitrary: req('insertReferences', fc.record({ collectionId, referringFieldKey: refKey, references })),
  },
  {
    weight: 2,
    arbitrary: req('removeReferences', fc.record({ collectionId, referringFieldKey: refKey, references })),
  },
  {
    weight: 1,
    arbitrary: req(
      'collectionsGet',
      fc.record(
        {
          collectionIds: maybe(
            fc.array(fc.oneof(collectionId, fc.constantFrom(...SCRATCH)), { maxLength: 4 }),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: req(
      'collectionsCreate',
      fc.record(
        { collection: collection(maybe(fc.constantFrom(...SCRATCH, 'fuzz-new'))) },
        { requiredKeys: [] },
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: req(
      'collectionsUpdate',
      fc.record({ collection: collection(maybe(fc.constantFrom(...SCRATCH))) }, { requiredKeys: [] }),
    ),
  },
  {
    weight: 1,
    arbitrary: req(
      'collectionsDelete',
      fc.record({ collectionId: maybe(fc.constantFrom(...SCRATCH, 'fuzz-new')) }),
    ),
  },
  {
    weight: 1,
    arbitrary: req('truncate', fc.record({ collectionId: maybe(fc.constantFrom(TARGET, ...SCRATCH)) })),
  },
  { weight: 1, arbitrary: req('capabilities', json) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...(Object.keys(PATHS) as (keyof typeof PATHS)[])), json)
      .map(([op, request]) => ({ op, request })),
  },
);

/** Legacy `/data/aggregate` bodies (issue 10 item 5): both shapes, hostile names, functions and sizes. */
const legacyRef = fc.oneof(
  { weight: 4, arbitrary: key.map((k) => `$${k}`) },
  { weight: 1, arbitrary: key },
  { weight: 1, arbitrary: json },
);
const LEGACY_FUNCTIONS = ['$sum', '$avg', '$min', '$max', '$count', ...DANGEROUS_KEYS];
const legacyOperation = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...LEGACY_FUNCTIONS), legacyRef)
      .map(([fn, ref]) => ownObject([[fn, ref]])),
  },
  { weight: 1, arbitrary: fc.constant({ $sum: 1 }) },
  { weight: 1, arbitrary: json },
);
const processingStep = fc
  .tuple(
    fc.oneof(
      { weight: 2, arbitrary: legacyRef },
      { weight: 2, arbitrary: fc.array(fc.tuple(key, legacyRef), { maxLength: 4 }).map(ownObject) },
      { weight: 1, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 30, max: 200 })
          .map((n) => ownObject(Array.from({ length: n }, (_, i) => [`g${i}`, `$f${i}`]))),
      },
    ),
    fc.oneof(
      { weight: 5, arbitrary: fc.array(fc.tuple(key, legacyOperation), { maxLength: 4 }) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 90, max: 400 })
          .map((n) => Array.from({ length: n }, (_, i): [string, unknown] => [`r${i}`, { $max: `$f${i}` }])),
      },
    ),
  )
  .map(([id, ops]) => ownObject([['_id', id], ...ops]));
/** Usually absent (so that most bodies are valid), sometimes `arb`, rarely any JSON. */
const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: arb },
    { weight: 1, arbitrary: json },
  );
const legacyAggregateArb = fc
  .tuple(
    fc.boolean(),
    processingStep,
    sometimes(
      fc.oneof(
        maybeFilter,
        fc.record({ operator: fc.constantFrom('$eq', '$gt', '$ne'), fieldName: key, value }),
      ),
    ),
    sometimes(
      fc.array(fc.record({ fieldName: key, direction: fc.constantFrom('asc', 'desc') }), { maxLength: 3 }),
    ),
    sometimes(fc.integer({ min: 0, max: 20_000 })),
  )
  .map(([v1, step, post, sortBy, skip]) => {
    const steps = ownObject([
      ['processingStep', step],
      ['postFilteringStep', post],
    ]);
    return {
      collectionName: COLLECTION,
      ...(v1 ? { aggregation: steps } : steps),
      sort: sortBy,
      skip,
      filter: undefined,
    };
  });

// ---------------------------------------------------------------------------------------------

let a: TestAdaptor;
let victim: TestAdaptor;
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
const prototypeNames = () =>
  [Object.prototype, Array.prototype, Function.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
const prototypesBefore = prototypeNames();
const VICTIM_ITEMS = [
  { _id: 'v1', title: 'victim one', n: 1 },
  { _id: 'v2', title: 'victim two', n: 2 },
];

/** Another tenant's exact answers: a query, and an aggregation (rows are built from paths). */
async function victimServed(): Promise<boolean> {
  const q = await victim.call(PATHS.query, { collectionId: COLLECTION, query: {} });
  const g = await victim.call(PATHS.aggregate, {
    collectionId: COLLECTION,
    aggregation: { operations: [{ resultFieldName: 's', sum: { itemFieldName: 'n' } }] },
  });
  return (
    q.status === 200 &&
    JSON.stringify(q.body.items.map((i: Record<string, unknown>) => [i._id, i.title, i.n])) ===
      JSON.stringify(VICTIM_ITEMS.map((i) => [i._id, i.title, i.n])) &&
    JSON.stringify(g.body.items) === '[{"s":3}]'
  );
}
const statuses = new Map<number, number>();

async function seed(): Promise<void> {
  const ok = async (p: Promise<{ status: number; body: unknown }>) => {
    const r = await p;
    if (r.status !== 200) throw new Error(`seeding failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as any;
  };
  await ok(
    a.call(PATHS.collectionsCreate, {
      collection: {
        id: TARGET,
        fields: [
          { key: 'title', type: 'TEXT' },
          { key: 'n', type: 'NUMBER' },
        ],
      },
    }),
  );
  await ok(
    a.call(PATHS.collectionsCreate, {
      collection: {
        id: COLLECTION,
        fields: [
          { key: 'title', type: 'TEXT' },
          { key: 'n', type: 'NUMBER' },
          { key: 'tags', type: 'ARRAY_STRING' },
          { key: 'when', type: 'DATETIME' },
          { key: 'obj', type: 'OBJECT' },
          { key: 'flag', type: 'BOOLEAN' },
          { key: 'refs', type: 'MULTI_REFERENCE', multiReferenceOptions: { referencedCollectionId: TARGET } },
          { key: 'single', type: 'REFERENCE', singleReferenceOptions: { referencedCollectionId: TARGET } },
        ],
      },
    }),
  );
  for (const id of SCRATCH)
    await ok(
      a.call(PATHS.collectionsCreate, { collection: { id, fields: [{ key: 'title', type: 'TEXT' }] } }),
    );
  await ok(
    a.call(PATHS.insert, {
      collectionId: TARGET,
      items: [0, 1, 2, 3].map((i) => ({ _id: `g${i}`, title: `target ${i}`, n: i })),
    }),
  );
  await ok(
    a.call(PATHS.insert, {
      collectionId: COLLECTION,
      items: Array.from({ length: 20 }, (_, i) => ({
        _id: `f${i}`,
        title: i % 3 ? `Seed ${i}` : 'seed',
        n: i,
        tags: ['a', `t${i % 4}`],
        when: { $date: new Date(Date.UTC(2020, 0, 1 + i)).toISOString() },
        obj: { a: { b: i % 2 } },
        flag: i % 2 === 0,
        single: `g${i % 4}`,
      })),
    }),
  );
  await ok(
    a.call(PATHS.insertReferences, {
      collectionId: COLLECTION,
      referringFieldKey: 'refs',
      references: Array.from({ length: 12 }, (_, i) => ({
        referringItemId: `f${i}`,
        referencedItemId: `g${i % 4}`,
      })),
    }),
  );
  // Real cursors of every kind, for the fuzzer to replay and mutate.
  const q = await ok(
    a.call(PATHS.query, {
      collectionId: COLLECTION,
      query: {
        filter: { n: { $gte: 2 } },
        sort: [{ fieldName: 'n', order: 'DESC' }],
        cursorPaging: { limit: 3 },
      },
    }),
  );
  const g = await ok(
    a.call(PATHS.aggregate, {
      collectionId: COLLECTION,
      aggregation: { groupingFields: ['title'], operations: [{ resultFieldName: 'c', itemCount: {} }] },
      cursorPaging: { limit: 1 },
    }),
  );
  const d = await ok(
    a.call(PATHS.distinct, { collectionId: COLLECTION, fieldName: 'tags', cursorPaging: { limit: 1 } }),
  );
  const r = await ok(
    a.call(PATHS.queryReferenced, {
      collectionId: COLLECTION,
      referringFieldKey: 'refs',
      cursorPaging: { limit: 2 },
    }),
  );
  cursors = [q, g, d, r]
    .map((b) => b.pagingMetadata?.cursors?.next)
    .filter((c): c is string => typeof c === 'string');
  expect(cursors.length).toBe(4);
}

/** `operation error: detail` of every `request failed` line the adaptor logged during the current run. */
let failures: string[] = [];

/** Runs `fn` with the adaptor's logging on and its lines captured instead of printed. */
async function capturingLogs<T>(fn: () => Promise<T>): Promise<T> {
  const level = logger.getLevelName();
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : String(chunk);
      if (!text.startsWith('{"level":'))
        return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      for (const line of text.split('\n').filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as {
            message?: string;
            operation?: string;
            error?: string;
            detail?: string;
          };
          if (entry.message === 'request failed')
            failures.push(`${entry.operation} ${entry.error}: ${entry.detail}`);
        } catch {
          // not one of ours
        }
      }
      return true;
    }) as typeof process.stdout.write;
  logger.setLogLevel('INFO');
  process.stdout.write = capture(process.stdout, out);
  process.stderr.write = capture(process.stderr, err);
  try {
    return await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    logger.setLogLevel(level);
  }
}

beforeAll(async () => {
  const deps = testDeps({ WIX_SECRET_KEY: `fuzz-secret-${randomUUID()}` });
  a = createTestAdaptor({ deps, tenant: `fuzz-${randomUUID()}` });
  victim = createTestAdaptor({ deps, tenant: `fuzz-victim-${randomUUID()}` });
  await seed();
  await victim.call(PATHS.collectionsCreate, { collection: { id: COLLECTION, fields: [] } });
  await victim.call(PATHS.insert, { collectionId: COLLECTION, items: VICTIM_ITEMS });
  expect(await victimServed()).toBe(true);
});

describe('fuzzed V3 request bodies (in-process dispatch)', () => {
  it(`never answers a 5xx over ${NUM_RUNS} runs (seed ${SEED})`, async () => {
    const started = Date.now();
    let runs = 0;
    let failure = '';
    const property = fc.asyncProperty(requestArb, async ({ op, request }) => {
      runs++;
      failures = [];
      const res = await capturingLogs(() => a.call(PATHS[op], request));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const body = res.body as Record<string, unknown>;
      const ok =
        res.status < 500 &&
        typeof body === 'object' &&
        body !== null &&
        !Array.isArray(body) &&
        (res.status < 400 || typeof body.errorCode === 'string') &&
        ({} as Record<string, unknown>).polluted === undefined &&
        ({} as Record<string, unknown>).zz === undefined &&
        Object.getOwnPropertyNames(Object.prototype).length === protoNames.length &&
        prototypeNames() === prototypesBefore &&
        // another tenant's answers, every 25th run (each check is two more requests)
        (runs % 25 !== 0 || (await victimServed()));
      if (!ok) {
        failure = `${PATHS[op]} ${JSON.stringify(request).slice(0, 500)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}; adaptor errors: ${JSON.stringify(failures)}`;
      }
      return ok;
    });
    try {
      await fc.assert(property, { numRuns: NUM_RUNS, seed: SEED, verbose: 1 });
    } catch (err) {
      console.error(
        `fuzz failed with seed ${SEED} (FUZZ_SEED=${SEED} to replay); last failing exchange: ${failure}`,
      );
      throw err;
    }
    console.log(
      `fuzz: ${runs} runs (seed ${SEED}) in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([x], [y]) => x - y)))}; 5xx seen: ${[...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0)}`,
    );
    expect(runs).toBeGreaterThanOrEqual(NUM_RUNS);
  });
});

describe('fuzzed legacy /data/aggregate bodies (in-process dispatch)', () => {
  const LEGACY_RUNS = Math.max(100, Math.floor(NUM_RUNS / 2));
  it(`never answers a 5xx, never touches a prototype, never disturbs another tenant over ${LEGACY_RUNS} runs (seed ${SEED})`, async () => {
    let runs = 0;
    let failure = '';
    const legacyStatuses = new Map<number, number>();
    const property = fc.asyncProperty(legacyAggregateArb, async (body) => {
      runs++;
      const res = await a.legacy('/data/aggregate', body);
      legacyStatuses.set(res.status, (legacyStatuses.get(res.status) ?? 0) + 1);
      const b = res.body as Record<string, unknown>;
      const ok =
        res.status < 500 &&
        typeof b === 'object' &&
        b !== null &&
        (res.status < 400 || typeof b.message === 'string') &&
        ({} as Record<string, unknown>).zz === undefined &&
        prototypeNames() === prototypesBefore &&
        (runs % 25 !== 0 || (await victimServed()));
      if (!ok)
        failure = `${JSON.stringify(body).slice(0, 500)} -> ${res.status} ${JSON.stringify(b).slice(0, 300)}`;
      return ok;
    });
    try {
      await fc.assert(property, { numRuns: LEGACY_RUNS, seed: SEED, verbose: 1 });
    } catch (err) {
      console.error(`legacy aggregate fuzz failed with seed ${SEED}; last failing exchange: ${failure}`);
      throw err;
    }
    console.log(
      `legacy aggregate fuzz: ${runs} runs; statuses ${JSON.stringify(Object.fromEntries([...legacyStatuses].sort(([x], [y]) => x - y)))}`,
    );
    expect(await victimServed()).toBe(true);
    expect(legacyStatuses.get(200) ?? 0).toBeGreaterThan(0);
  });
});
