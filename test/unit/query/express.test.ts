/**
 * The exact DynamoDB form of every operator: `plan(parseFilter(f), [], 'PK')` as a whole object
 * (key condition, filter expression, names, values, exact flag), so that any change is seen. Then a
 * property: whatever the field names and values, expressions hold only placeholders and keywords,
 * every placeholder is defined and every definition is used.
 */
import fc from 'fast-check';
import { parseFilter } from '../../../lambda/query/parse';
import { plan } from '../../../lambda/query/plan';
import { hasRedundantParentheses } from '../../helpers/queryRef';

const D = '2020-01-01T00:00:00.000Z';

/** A full partition query (no key range), as plan() returns it for a filter without `_id` bounds. */
function scan(
  filterExpression: string | undefined,
  names: Record<string, string>,
  values: Record<string, unknown>,
  exact: boolean,
) {
  return {
    kind: 'query',
    keyCondition: '#n0 = :v0',
    filterExpression,
    names: { '#n0': 'pk', ...names },
    values: { ':v0': 'PK', ...values },
    exact,
    descending: false,
    orderedBySort: true,
  };
}

const DN = { '#n2': 'd', '#n3': 'n' };
const EMPTY = '(attribute_not_exists(#n2.#n3) OR attribute_type(#n2.#n3, :v1))';

const pathOf = (filter: unknown) => plan(parseFilter(filter), [], 'PK').path;

describe('DynamoDB form of each operator', () => {
  it.each([
    ['$eq number shorthand', { n: 5 }, scan('#n2.#n3 = :v1', DN, { ':v1': 5 }, true)],
    ['$eq string explicit', { n: { $eq: 'x' } }, scan('#n2.#n3 = :v1', DN, { ':v1': 'x' }, true)],
    ['$eq boolean', { n: true }, scan('#n2.#n3 = :v1', DN, { ':v1': true }, true)],
    ['$eq null shorthand', { n: null }, scan(EMPTY, DN, { ':v1': 'NULL' }, true)],
    ['$eq null explicit', { n: { $eq: null } }, scan(EMPTY, DN, { ':v1': 'NULL' }, true)],
    [
      '$eq {$date}: the $date member, a superset',
      { n: { $date: '2020-01-01T00:00:00Z' } },
      scan('#n2.#n3.#n4 = :v1', { ...DN, '#n4': '$date' }, { ':v1': D }, false),
    ],
    ['$eq {$encrypted}: memory', { n: { $encrypted: 'abc' } }, scan(undefined, {}, {}, false)],
    ['$eq plain object: memory', { n: { a: 1 } }, scan(undefined, {}, {}, false)],
    ['$eq array: memory', { n: [1, 2] }, scan(undefined, {}, {}, false)],
    ['$ne', { n: { $ne: 5 } }, scan('NOT (#n2.#n3 = :v1)', DN, { ':v1': 5 }, true)],
    ['$ne {$date}: memory (NOT of a superset)', { n: { $ne: { $date: D } } }, scan(undefined, {}, {}, false)],
    ['$gt number', { n: { $gt: 5 } }, scan('#n2.#n3 > :v1', DN, { ':v1': 5 }, true)],
    ['$gte string', { n: { $gte: 'a' } }, scan('#n2.#n3 >= :v1', DN, { ':v1': 'a' }, true)],
    ['$lt number', { n: { $lt: -1.5 } }, scan('#n2.#n3 < :v1', DN, { ':v1': -1.5 }, true)],
    ['$lte number', { n: { $lte: 5 } }, scan('#n2.#n3 <= :v1', DN, { ':v1': 5 }, true)],
    ['$gt boolean: memory', { n: { $gt: true } }, scan(undefined, {}, {}, false)],
    [
      '$gt {$date}',
      { n: { $gt: { $date: '2020-01-01' } } },
      scan('#n2.#n3.#n4 > :v1', { ...DN, '#n4': '$date' }, { ':v1': D }, false),
    ],
    ['$in', { n: { $in: [1, 'a'] } }, scan('#n2.#n3 IN (:v1, :v2)', DN, { ':v1': 1, ':v2': 'a' }, true)],
    ['$in empty: memory', { n: { $in: [] } }, scan(undefined, {}, {}, false)],
    ['$in booleans: memory', { n: { $in: [true] } }, scan(undefined, {}, {}, false)],
    ['$in nulls: memory', { n: { $in: [null, 1] } }, scan(undefined, {}, {}, false)],
    [
      '$in of 41 values: memory (keeps expressions small)',
      { n: { $in: Array.from({ length: 41 }, (_, i) => i) } },
      scan(undefined, {}, {}, false),
    ],
    ['$nin', { n: { $nin: [1, 2] } }, scan('NOT (#n2.#n3 IN (:v1, :v2))', DN, { ':v1': 1, ':v2': 2 }, true)],
    [
      '$hasSome',
      { n: { $hasSome: ['a', 2] } },
      scan(
        '(#n2.#n3 IN (:v1, :v2) OR (attribute_type(#n2.#n3, :v3) AND (contains(#n2.#n3, :v1) OR contains(#n2.#n3, :v2))))',
        DN,
        { ':v1': 'a', ':v2': 2, ':v3': 'L' },
        true,
      ),
    ],
    ['$hasSome empty: memory', { n: { $hasSome: [] } }, scan(undefined, {}, {}, false)],
    [
      '$hasAll: a superset',
      { n: { $hasAll: ['a', 'b'] } },
      scan(
        '((attribute_type(#n2.#n3, :v3) AND contains(#n2.#n3, :v1) AND contains(#n2.#n3, :v2)) OR #n2.#n3 IN (:v1, :v2))',
        DN,
        { ':v1': 'a', ':v2': 'b', ':v3': 'L' },
        false,
      ),
    ],
    ['$hasAll empty: memory', { n: { $hasAll: [] } }, scan(undefined, {}, {}, false)],
    [
      '$contains: strings only',
      { n: { $contains: 'Ab' } },
      scan('attribute_type(#n2.#n3, :v1)', DN, { ':v1': 'S' }, false),
    ],
    [
      '$startsWith',
      { n: { $startsWith: 'Ab' } },
      scan('attribute_type(#n2.#n3, :v1)', DN, { ':v1': 'S' }, false),
    ],
    [
      '$endsWith',
      { n: { $endsWith: 'Ab' } },
      scan('attribute_type(#n2.#n3, :v1)', DN, { ':v1': 'S' }, false),
    ],
    ['$exists true', { n: { $exists: true } }, scan('attribute_exists(#n2.#n3)', DN, {}, true)],
    ['$exists false', { n: { $exists: false } }, scan('attribute_not_exists(#n2.#n3)', DN, {}, true)],
    ['$isEmpty true', { n: { $isEmpty: true } }, scan(EMPTY, DN, { ':v1': 'NULL' }, true)],
    [
      '$isEmpty false',
      { n: { $isEmpty: false } },
      scan(
        'NOT (attribute_not_exists(#n2.#n3) OR attribute_type(#n2.#n3, :v1))',
        DN,
        { ':v1': 'NULL' },
        true,
      ),
    ],
    [
      '$matches',
      {
        n: {
          $matches: {
            ignoreCase: true,
            spec: [
              { type: 'literal', value: 'a' },
              { type: 'anyOf', value: ' -' },
            ],
          },
        },
      },
      scan('attribute_type(#n2.#n3, :v1)', DN, { ':v1': 'S' }, false),
    ],
    ['$urlized', { n: { $urlized: 'A b' } }, scan('attribute_type(#n2.#n3, :v1)', DN, { ':v1': 'S' }, false)],
  ])('%s', (_name, filter, expected) => {
    expect(pathOf(filter)).toEqual(expected);
  });
});

describe('DynamoDB form of paths, system fields and combinations', () => {
  it.each([
    [
      'dotted path: one name per segment',
      { 'address.city': 'Paris' },
      scan('#n2.#n3.#n4 = :v1', { '#n2': 'd', '#n3': 'address', '#n4': 'city' }, { ':v1': 'Paris' }, true),
    ],
    ['_owner is attribute o', { _owner: 'me' }, scan('#n2 = :v1', { '#n2': 'o' }, { ':v1': 'me' }, true)],
    [
      '_createdDate is attribute c, compared on $date',
      { _createdDate: { $gt: { $date: '2020-01-01T00:00:00Z' } } },
      scan('#n2.#n3 > :v1', { '#n2': 'c', '#n3': '$date' }, { ':v1': D }, false),
    ],
    [
      '_updatedDate is attribute u',
      { _updatedDate: { $exists: true } },
      scan('attribute_exists(#n2)', { '#n2': 'u' }, {}, true),
    ],
    [
      'several keys = AND',
      { a: 1, b: 2 },
      scan(
        '(#n2.#n3 = :v1) AND (#n2.#n4 = :v2)',
        { '#n2': 'd', '#n3': 'a', '#n4': 'b' },
        { ':v1': 1, ':v2': 2 },
        true,
      ),
    ],
    [
      'several operators on one field = AND, one name',
      { n: { $gt: 1, $lt: 9 } },
      scan('(#n2.#n3 > :v1) AND (#n2.#n3 < :v2)', DN, { ':v1': 1, ':v2': 9 }, true),
    ],
    [
      '$and',
      { $and: [{ a: 1 }, { b: 2 }] },
      scan(
        '(#n2.#n3 = :v1) AND (#n2.#n4 = :v2)',
        { '#n2': 'd', '#n3': 'a', '#n4': 'b' },
        { ':v1': 1, ':v2': 2 },
        true,
      ),
    ],
    [
      '$or',
      { $or: [{ a: 1 }, { b: 2 }] },
      scan(
        '(#n2.#n3 = :v1) OR (#n2.#n4 = :v2)',
        { '#n2': 'd', '#n3': 'a', '#n4': 'b' },
        { ':v1': 1, ':v2': 2 },
        true,
      ),
    ],
    [
      '$or with a superset branch is a superset',
      { $or: [{ a: 1 }, { b: { $contains: 'x' } }] },
      scan(
        '(#n2.#n3 = :v1) OR (attribute_type(#n2.#n4, :v2))',
        { '#n2': 'd', '#n3': 'a', '#n4': 'b' },
        { ':v1': 1, ':v2': 'S' },
        false,
      ),
    ],
    [
      '$or with an in-memory-only branch: no expression, no dangling placeholders',
      { $or: [{ a: 1 }, { b: { x: 1 } }] },
      scan(undefined, {}, {}, false),
    ],
    ['$or empty: memory', { $or: [] }, scan(undefined, {}, {}, false)],
    ['$and empty: everything, exact', { $and: [] }, scan(undefined, {}, {}, true)],
    ['empty filter', {}, scan(undefined, {}, {}, true)],
    [
      '$not object',
      { $not: { a: 1 } },
      scan('NOT (#n2.#n3 = :v1)', { '#n2': 'd', '#n3': 'a' }, { ':v1': 1 }, true),
    ],
    [
      '$not one-element array',
      { $not: [{ a: 1 }] },
      scan('NOT (#n2.#n3 = :v1)', { '#n2': 'd', '#n3': 'a' }, { ':v1': 1 }, true),
    ],
    [
      'field-level $not object',
      { a: { $not: { $eq: 1 } } },
      scan('NOT (#n2.#n3 = :v1)', { '#n2': 'd', '#n3': 'a' }, { ':v1': 1 }, true),
    ],
    [
      'field-level $not one-element array',
      { a: { $not: [{ $gt: 1 }] } },
      scan('NOT (#n2.#n3 > :v1)', { '#n2': 'd', '#n3': 'a' }, { ':v1': 1 }, true),
    ],
    ['$not of a superset: memory', { $not: { b: { $contains: 'x' } } }, scan(undefined, {}, {}, false)],
    [
      'AND keeps the pushable part of a partly in-memory filter',
      { a: 1, b: { x: 1 } },
      scan('#n2.#n3 = :v1', { '#n2': 'd', '#n3': 'a' }, { ':v1': 1 }, false),
    ],
    [
      'NOT of an exact AND',
      { $not: { a: 1, b: { $exists: true } } },
      scan(
        'NOT ((#n2.#n3 = :v1) AND (attribute_exists(#n2.#n4)))',
        { '#n2': 'd', '#n3': 'a', '#n4': 'b' },
        { ':v1': 1 },
        true,
      ),
    ],
    [
      'field names with spaces, dashes, unicode, # and : are names, never text',
      { 'we ird-#:név.:v0': 'x' },
      scan('#n2.#n3.#n4 = :v1', { '#n2': 'd', '#n3': 'we ird-#:név', '#n4': ':v0' }, { ':v1': 'x' }, true),
    ],
    [
      'a field that looks like a placeholder',
      { '#n0': ':v0' },
      scan('#n2.#n3 = :v1', { '#n2': 'd', '#n3': '#n0' }, { ':v1': ':v0' }, true),
    ],
    [
      'a field holding expression syntax',
      { 'a) OR (b': { $gt: 'x) OR (1 = 1' } },
      scan('#n2.#n3 > :v1', { '#n2': 'd', '#n3': 'a) OR (b' }, { ':v1': 'x) OR (1 = 1' }, true),
    ],
  ])('%s', (_name, filter, expected) => {
    expect(pathOf(filter)).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// DynamoDB refuses "redundant parentheses": a group whose whole content is another group, `((x))`.
// That is a ValidationException at request time, which the adaptor answers with a 500.

describe('hasRedundantParentheses agrees with DynamoDB Local', () => {
  // Each verdict below was observed by sending the expression to DynamoDB Local.
  it.each([
    ['(attribute_not_exists(#a) OR attribute_type(#a, :v1))', false],
    ['((#a = :v1) OR (#b = :v2)) AND (#c = :v3)', false],
    ['NOT ((#a = :v1) AND (#b = :v2))', false],
    ['NOT (NOT (#a = :v1))', false],
    ['NOT (#a IN (:v1)) AND (#b = :v2)', false],
    ['NOT ((attribute_not_exists(#a) OR attribute_type(#a, :v1)))', true],
    ['((attribute_not_exists(#a) OR attribute_type(#a, :v1))) AND (#b = :v2)', true],
    ['(((attribute_type(#a, :v2) AND contains(#a, :v1)) OR #a IN (:v1))) AND (#b = :v3)', true],
  ])('%s -> %s', (expr, redundant) => {
    expect(hasRedundantParentheses(expr)).toBe(redundant);
  });
});

const REDUNDANT_BUGS: [string, unknown][] = [
  ['$ne null (isNotEmpty)', { n: { $ne: null } }],
  ['$not of a null equality', { $not: { n: null } }],
  ['null equality next to another key', { n: null, m: 1 }],
  ['null equality in $or', { $or: [{ n: null }, { m: 1 }] }],
  ['$isEmpty true next to another key', { n: { $isEmpty: true }, m: 1 }],
  ['$hasSome next to another key', { tags: { $hasSome: ['x'] }, m: 1 }],
  ['$not of $hasSome', { $not: { tags: { $hasSome: ['x'] } } }],
  ['$hasAll next to another key', { tags: { $hasAll: ['x'] }, m: 1 }],
  ['$hasAll in $or', { $or: [{ tags: { $hasAll: ['x'] } }, { m: 1 }] }],
];

describe('expressions DynamoDB accepts', () => {
  it.each([
    ['null equality alone', { n: null }],
    ['$hasSome alone', { tags: { $hasSome: ['x'] } }],
    ['$hasAll alone', { tags: { $hasAll: ['x'] } }],
    ['$isEmpty false next to another key', { n: { $isEmpty: false }, m: 1 }],
    ['$nin next to another key', { n: { $nin: [1] }, m: 1 }],
    ['$or inside $and', { $and: [{ $or: [{ a: 1 }, { b: 1 }] }, { c: 1 }] }],
    ['$not of several keys', { $not: { a: 1, b: 2 } }],
  ])('%s', (_name, filter) => {
    const path = pathOf(filter);
    expect(path.kind).toBe('query');
    expect(hasRedundantParentheses((path as { filterExpression: string }).filterExpression)).toBe(false);
  });

  // BUG: eq.ts:19 / isEmpty.ts:16 / hasSome.ts:24 / hasAll.ts:24 return expressions already wrapped in
  // parentheses, and express.ts wraps every AND/OR child (lines 30, 38) and NOT's operand (line 44)
  // again -> "((...))", which DynamoDB refuses ("The expression has redundant parentheses") -> HTTP 500.
  it.each(REDUNDANT_BUGS)('%s', (_name, filter) => {
    const path = pathOf(filter);
    expect(hasRedundantParentheses((path as { filterExpression: string }).filterExpression)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: no field name or value is ever spliced into an expression.

const KEYWORDS =
  /\b(?:AND|OR|NOT|IN|BETWEEN|attribute_exists|attribute_not_exists|attribute_type|contains)\b/g;

function tokensOf(expr: string): string[] {
  return expr.match(/[#:][nv]\d+/g) ?? [];
}

function residue(expr: string): string {
  return expr
    .replace(/[#:][nv]\d+/g, '')
    .replace(KEYWORDS, '')
    .replace(/[\s().,=<>]/g, '');
}

const weirdName = fc.oneof(
  fc.constantFrom(
    'a b',
    'x-y',
    'név',
    '#n1',
    ':v1',
    'a#b:c',
    '😀',
    'size',
    'AND',
    'contains',
    '__proto__',
    '$x',
  ),
  fc
    .string({ minLength: 1, maxLength: 6, unit: 'binary' })
    .filter((s) => !s.includes('.') && !s.startsWith('$')),
);
const weirdPath = fc
  .array(weirdName, { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('.'))
  .filter((p) => !p.startsWith('$'));
const scalar = fc.oneof(
  fc.string({ maxLength: 8, unit: 'binary' }),
  fc.constantFrom(':v1', '#n1', ') OR (', 'NOT'),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
const predicate = fc.oneof(
  scalar,
  fc.constant(null),
  fc.record({ $gt: scalar }),
  fc.record({ $lte: scalar }),
  fc.record({ $ne: scalar }),
  fc.record({ $in: fc.array(scalar, { maxLength: 4 }) }),
  fc.record({ $hasSome: fc.array(scalar, { maxLength: 4 }) }),
  fc.record({ $hasAll: fc.array(scalar, { maxLength: 4 }) }),
  fc.record({ $exists: fc.boolean() }),
  fc.record({ $isEmpty: fc.boolean() }),
  fc.record({ $contains: fc.string({ maxLength: 4 }) }),
  fc.record({ $not: fc.record({ $eq: scalar }) }),
  fc.constant({ $date: D }).map((v) => ({ $gte: v })),
);
const leaf = fc.dictionary(weirdPath, predicate, { minKeys: 1, maxKeys: 3 });
const { filter: filterArb } = fc.letrec<{ filter: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ $and: fc.array(tie('filter'), { maxLength: 3 }) }),
    fc.record({ $or: fc.array(tie('filter'), { maxLength: 3 }) }),
    fc.record({ $not: tie('filter') }),
  ),
}));

describe('expressions never contain names or values', () => {
  it('holds for arbitrary field names and values', () => {
    fc.assert(
      fc.property(filterArb, (filter) => {
        const path = pathOf(filter);
        if (path.kind !== 'query') return;
        const used = `${path.keyCondition} ${path.filterExpression ?? ''}`;
        expect(residue(path.keyCondition)).toBe('');
        if (path.filterExpression !== undefined) {
          expect(path.filterExpression.length).toBeGreaterThan(0);
          expect(residue(path.filterExpression)).toBe('');
        }
        const tokens = new Set(tokensOf(used));
        // every placeholder used is defined, and every one defined is used (DynamoDB rejects unused ones)
        expect(new Set([...Object.keys(path.names), ...Object.keys(path.values)])).toEqual(tokens);
        for (const k of Object.keys(path.names)) expect(k).toMatch(/^#n\d+$/);
        for (const k of Object.keys(path.values)) expect(k).toMatch(/^:v\d+$/);
      }),
      { numRuns: 500 },
    );
  });

  // BUG (see REDUNDANT_BUGS above): fails as soon as a null equality, $isEmpty true, $hasSome or
  // $hasAll is combined with anything.
  it('never has redundant parentheses, for arbitrary filters', () => {
    fc.assert(
      fc.property(filterArb, (filter) => {
        const path = pathOf(filter);
        if (path.kind === 'query' && path.filterExpression !== undefined)
          expect(hasRedundantParentheses(path.filterExpression)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
