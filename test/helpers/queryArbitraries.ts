/**
 * fast-check generators for the query differential test: items of a collection with declared fields
 * of several types (plus wrong-typed, null and missing values), and filters / sorts over those fields
 * restricted to what each field advertises, with operands drawn mostly from the data so that matches
 * happen.
 */
import fc from 'fast-check';
import { getPath } from '../../lambda/query/values';
import type { Item, WixSort } from './queryRef';

export const DIFF_FIELDS = [
  { key: 't', type: 'TEXT' },
  { key: 'n', type: 'NUMBER' },
  { key: 'b', type: 'BOOLEAN' },
  { key: 'd', type: 'DATETIME' },
  { key: 'tags', type: 'ARRAY_STRING' },
  { key: 'obj', type: 'OBJECT' },
  { key: 'any', type: 'ANY' },
] as const;

// ---------------------------------------------------------------------------------------------
// data

const WORDS = [
  'apple',
  'Apple',
  'APPLE pie',
  'banana',
  'Banana split',
  'cherry',
  'New York',
  'new-york',
  'new  York',
  'NEW - YORK',
  'café',
  'CAFÉ',
  'Straße',
  'zoë',
  'ünïcödé',
  '日本語',
  '😀 smile',
  'smile 😀',
  '\uFFFF',
  '\uE000',
  '',
  ' ',
  'a-b c',
  'x',
  'X',
  'Paris',
  'paris',
  'Rome',
  'São Paulo',
];
const TAGS = ['red', 'Red', 'green', 'blue', 'Blue sky', 'x', 'y', '', '😀', 'ß'];
const DATES = [
  '2019-12-31T23:59:59.999Z',
  '2020-01-01T00:00:00.000Z',
  '2020-01-01T00:00:00.001Z',
  '2020-06-15T12:30:00.000Z',
  '2021-02-28T08:00:00.000Z',
  '1999-01-01T00:00:00.000Z',
  '2030-12-31T00:00:00.000Z',
];
const CITIES = ['Paris', 'paris', 'Rome', 'New York', 'new-york', 'São Paulo', '', '東京'];

const word = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
);
const number = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.integer({ min: -100_000, max: 100_000 }).map((x) => x / 100),
  fc.constantFrom(0, 1, -1, 0.5, -0.5, 1e-3, 123456.789, 1e12, -1e12),
);
const date = fc
  .oneof(
    fc.constantFrom(...DATES),
    fc
      .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) })
      .map((t) => new Date(t).toISOString()),
  )
  .map(($date) => ({ $date }));
const tags = fc.array(fc.constantFrom(...TAGS), { maxLength: 4 });
const city = fc.oneof(fc.constantFrom(...CITIES), fc.constant(null));
const obj = fc.oneof(
  fc.record({ city }, { requiredKeys: [] }),
  fc.record({ city, zip: fc.integer({ min: 1000, max: 1010 }) }),
  fc.record({ city, inner: fc.record({ city }), when: date }, { requiredKeys: ['city'] }),
);
const scalar = fc.oneof(word, number, fc.boolean(), date);
const anything = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: tags },
  { weight: 1, arbitrary: obj },
  { weight: 1, arbitrary: fc.array(fc.oneof(number, word), { maxLength: 3 }) },
);

/** A declared type's value most of the time; otherwise null, a wrong type, or missing (undefined). */
function slot<T>(typed: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 7, arbitrary: typed },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: anything },
  );
}

const ID_PREFIXES = ['item', 'Item', 'ITEM', 'a', 'B', 'z', 'é', '日本', '😀', 'x y', 'a_b', '~', 'Z9'];

export const itemBody = fc.record({
  prefix: fc.constantFrom(...ID_PREFIXES),
  owner: fc.option(fc.constantFrom('owner-a', 'owner-b', 'Owner-C'), { nil: undefined }),
  t: slot(word),
  n: slot(number),
  b: slot(fc.boolean()),
  d: slot(date),
  tags: slot(tags),
  obj: slot(obj),
  any: slot(anything),
  extra: fc.option(anything, { nil: undefined, freq: 3 }),
});

/** Items to insert: unique ids, values per the declared type or deliberately not. */
export function sampleItems(count: number, seed: number): Item[] {
  return fc.sample(itemBody, { numRuns: count, seed }).map((body, i) => {
    const item: Item = { _id: `${body.prefix}-${i.toString(36).padStart(3, '0')}` };
    if (body.owner !== undefined) item._owner = body.owner;
    for (const key of ['t', 'n', 'b', 'd', 'tags', 'obj', 'any', 'extra'] as const) {
      if (body[key] !== undefined) item[key] = body[key];
    }
    return item;
  });
}

// ---------------------------------------------------------------------------------------------
// filters

export type Capability = string;
export interface FieldCaps {
  sortable: boolean;
  queryOperators: readonly Capability[];
}

/** Operator -> the capability a field must advertise for it (wix-v3 §6 mapping, as enforced). */
export const OP_CAPABILITY: Readonly<Record<string, Capability>> = {
  $eq: 'EQ',
  $isEmpty: 'EQ',
  $ne: 'NE',
  $nin: 'NE',
  $gt: 'GT',
  $gte: 'GTE',
  $lt: 'LT',
  $lte: 'LTE',
  $in: 'HAS_SOME',
  $hasSome: 'HAS_SOME',
  $hasAll: 'HAS_ALL',
  $contains: 'CONTAINS',
  $startsWith: 'STARTS_WITH',
  $endsWith: 'ENDS_WITH',
  $exists: 'EXISTS',
  $matches: 'URLIZED',
  $urlized: 'URLIZED',
};

const ALL_CAPS: FieldCaps = {
  sortable: true,
  queryOperators: [...new Set(Object.values(OP_CAPABILITY))],
};

/** Fields filters and sorts use: declared ones, system ones, a path inside OBJECT, an undeclared one. */
export const FILTER_FIELDS = [
  '_id',
  '_owner',
  '_createdDate',
  '_updatedDate',
  't',
  'n',
  'b',
  'd',
  'tags',
  'obj',
  'obj.city',
  'any',
  'extra',
];

function isComparable(v: unknown): boolean {
  return (
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && '$date' in v)
  );
}

function caseVariant(s: string): fc.Arbitrary<string> {
  return fc.constantFrom(s, s.toLowerCase(), s.toUpperCase());
}

/** A substring of `s` (by code point), maybe with its case changed. */
function piece(s: string): fc.Arbitrary<string> {
  const cps = [...s];
  return fc
    .tuple(fc.nat({ max: cps.length }), fc.nat({ max: cps.length }))
    .map(([x, y]) => cps.slice(Math.min(x, y), Math.max(x, y)).join(''))
    .chain(caseVariant);
}

function prefix(s: string): fc.Arbitrary<string> {
  const cps = [...s];
  return fc.oneof(
    piece(s),
    fc
      .nat({ max: cps.length })
      .map((k) => cps.slice(0, k).join(''))
      .chain(caseVariant),
  );
}

function suffix(s: string): fc.Arbitrary<string> {
  const cps = [...s];
  return fc.oneof(
    piece(s),
    fc
      .nat({ max: cps.length })
      .map((k) => cps.slice(k).join(''))
      .chain(caseVariant),
  );
}

/** A Wix urlized `$matches` spec for `s`: its words as literals, separators as an anyOf part. */
function matchSpec(s: string): fc.Arbitrary<unknown> {
  const words = s.split(/[ \-]+/).filter((w) => w.length > 0);
  return fc
    .record({ ignoreCase: fc.boolean(), anyOf: fc.constantFrom(' -', '-', ' \t\n-'), lower: fc.boolean() })
    .map(({ ignoreCase, anyOf, lower }) => {
      const spec: { type: string; value: string }[] = [];
      words.forEach((w, i) => {
        if (i > 0) spec.push({ type: 'anyOf', value: anyOf });
        spec.push({ type: 'literal', value: lower ? w.toLowerCase() : w });
      });
      return { ignoreCase, spec };
    });
}

export interface FilterOptions {
  caps: ReadonlyMap<string, FieldCaps>;
  items: readonly Item[];
}

/** The generators that depend on the data and on the advertised capabilities. */
export function queryArbitraries({ caps, items }: FilterOptions) {
  const capsOf = (field: string): FieldCaps => caps.get(field) ?? ALL_CAPS;

  const pools = new Map<string, unknown[]>();
  for (const field of FILTER_FIELDS) {
    const values = items
      .map((i) => getPath(i, field))
      .filter((p) => p.present)
      .map((p) => p.value);
    pools.set(field, values.length > 0 ? values : [null]);
  }
  const valueOf = (field: string) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...pools.get(field)!) },
      { weight: 1, arbitrary: anything },
    );
  const elementsOf = (field: string) => {
    const elements = pools.get(field)!.flatMap((v) => (Array.isArray(v) ? v : [v]));
    return fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...(elements.length > 0 ? elements : [null])) },
      { weight: 1, arbitrary: scalar },
    );
  };
  const comparableOf = (field: string) => {
    const values = pools.get(field)!.filter(isComparable);
    return values.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: scalar })
      : scalar;
  };
  const stringOf = (field: string) => {
    const strings = pools.get(field)!.filter((v): v is string => typeof v === 'string');
    return strings.length > 0 ? fc.constantFrom(...strings) : word;
  };

  const operand: Record<string, (field: string) => fc.Arbitrary<unknown>> = {
    $eq: valueOf,
    $ne: valueOf,
    $isEmpty: () => fc.boolean(),
    $exists: () => fc.boolean(),
    $gt: comparableOf,
    $gte: comparableOf,
    $lt: comparableOf,
    $lte: comparableOf,
    $in: (f) => fc.array(elementsOf(f), { maxLength: 4 }),
    $nin: (f) => fc.array(elementsOf(f), { maxLength: 4 }),
    $hasSome: (f) => fc.array(elementsOf(f), { maxLength: 4 }),
    $hasAll: (f) => fc.array(elementsOf(f), { maxLength: 3 }),
    $contains: (f) => stringOf(f).chain(piece),
    $startsWith: (f) => stringOf(f).chain(prefix),
    $endsWith: (f) => stringOf(f).chain(suffix),
    $urlized: (f) =>
      stringOf(f).chain((s) =>
        fc.constantFrom(
          s,
          s
            .toLowerCase()
            .trim()
            .replace(/[\s-]+/g, '-'),
          `${s}x`,
        ),
      ),
    $matches: (f) => stringOf(f).chain(matchSpec),
  };

  const opsFor = (field: string) =>
    Object.keys(OP_CAPABILITY).filter((op) => capsOf(field).queryOperators.includes(OP_CAPABILITY[op]!));

  // Operators with exact DynamoDB forms (whose mistakes change answers) come up more often.
  const OP_WEIGHT: Record<string, number> = { $eq: 2, $ne: 2, $in: 2, $nin: 2, $hasSome: 3, $hasAll: 2 };
  const operatorObject = (field: string) => {
    const op = fc.oneof(
      ...opsFor(field).map((o) => ({ weight: OP_WEIGHT[o] ?? 1, arbitrary: fc.constant(o) })),
    );
    return fc
      .array(
        op.chain((o) => operand[o]!(field).map((v) => [o, v] as const)),
        { minLength: 1, maxLength: 2 },
      )
      .map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);
  };

  // Scalar-valued fields (exact DynamoDB forms) and _id (key paths) come up more often.
  const FIELD_WEIGHT: Record<string, number> = { _id: 3, t: 3, n: 3, b: 2, d: 2, tags: 2 };
  const fieldName = fc.oneof(
    ...FILTER_FIELDS.map((f) => ({ weight: FIELD_WEIGHT[f] ?? 1, arbitrary: fc.constant(f) })),
  );
  const clause = fieldName.chain((field) =>
    fc
      .oneof(
        { weight: 3, arbitrary: valueOf(field) }, // shorthand equality
        { weight: 6, arbitrary: operatorObject(field) },
        { weight: 1, arbitrary: operatorObject(field).map((o) => ({ $not: o })) },
        { weight: 1, arbitrary: operatorObject(field).map((o) => ({ $not: [o] })) },
      )
      .map((v) => [field, v] as const),
  );

  // Top-level _id constraints: what the planner turns into GetItem, key ranges and prefix ranges.
  const ids = items.map((i) => String(i._id));
  const idValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...ids)
        .chain(prefix)
        .filter((p) => p.length > 0),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'a', 'B', 'item', 'Item-0', 'z', '~', 'é', '日', '😀', '\uFFFF'),
    },
  );
  const idConstraint: fc.Arbitrary<unknown> = fc.oneof(
    idValue,
    idValue.map(($gt) => ({ $gt })),
    idValue.map(($gte) => ({ $gte })),
    idValue.map(($lt) => ({ $lt })),
    idValue.map(($lte) => ({ $lte })),
    fc.tuple(idValue, idValue).map(([$gte, $lt]) => ({ $gte, $lt })),
    fc
      .constantFrom(...ids)
      .chain(prefix)
      .map(($startsWith) => ({ $startsWith })),
    fc.array(idValue, { maxLength: 5 }).map(($in) => ({ $in })),
  );
  const leaf = fc
    .array(clause, { minLength: 1, maxLength: 2 })
    .map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);

  const { filter } = fc.letrec<{ filter: Record<string, unknown> }>((tie) => ({
    filter: fc.oneof(
      { maxDepth: 3, withCrossShrink: true },
      { weight: 4, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie('filter'), { maxLength: 3 }).map(($and) => ({ $and })) },
      { weight: 2, arbitrary: fc.array(tie('filter'), { maxLength: 3 }).map(($or) => ({ $or })) },
      { weight: 1, arbitrary: tie('filter').map(($not) => ({ $not })) },
      { weight: 1, arbitrary: tie('filter').map((f) => ({ $not: [f] })) },
      { weight: 1, arbitrary: fc.tuple(leaf, tie('filter')).map(([l, f]) => ({ ...l, $and: [f] })) },
    ),
  }));

  const sortable = FILTER_FIELDS.filter((f) => capsOf(f).sortable);
  const sort: fc.Arbitrary<WixSort[]> = fc.array(
    fc.record({
      fieldName: fc.constantFrom(...sortable),
      order: fc.constantFrom('ASC' as const, 'DESC' as const),
    }),
    { maxLength: 2 },
  );

  const idFilter = fc
    .tuple(idConstraint, fc.option(filter, { freq: 2 }))
    .map(([_id, rest]) => (rest === null ? { _id } : { _id, $and: [rest] }));

  return {
    filter: fc.oneof(
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 3, arbitrary: idFilter },
      { weight: 12, arbitrary: filter },
    ),
    sort,
  };
}
