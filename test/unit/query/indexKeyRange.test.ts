/**
 * The key condition builder (query/indexKeyRange.ts), checked against the real key encoding: for
 * every operator x ASC/DESC x caseInsensitive x truncated keys x a mix of value kinds, every item the
 * evaluator matches has its key inside the intervals (a superset, always), and where the index can
 * bound the condition exactly, only those items do (so the GSI reads no more than the matches).
 */
import type { IndexRecord } from '../../../lambda/model/collection';
import { matches } from '../../../lambda/query/evaluate';
import {
  before,
  indexKeyCondition,
  MAX_IN_QUERIES,
  type KeyInterval,
} from '../../../lambda/query/indexKeyRange';
import { parseFilter } from '../../../lambda/query/parse';
import { ID_SUFFIX_FORMAT, indexSk, MAX_SK_BYTES } from '../../../lambda/store/indexKeys';

const LONG_A = 'x'.repeat(600) + 'a';
const LONG_B = 'x'.repeat(600) + 'b';
const D1 = { $date: '2020-01-01T00:00:00.000Z' };
const D2 = { $date: '2021-06-15T12:00:00.000Z' };

/** Values of every kind, with case variants, prefixes of each other, NUL and keys past MAX_SK_BYTES. */
const VALUES: unknown[] = [
  undefined,
  null,
  false,
  true,
  -5,
  0,
  3,
  5,
  5.5,
  7,
  1e9,
  '',
  'A',
  'a',
  'ab',
  'Apple',
  'apple',
  'APPLE pie',
  'apple pie',
  'b',
  'banana',
  '1',
  '12',
  '12x',
  'z',
  '\u0000',
  'a\u0000',
  'é',
  'É',
  '\u{1F600}',
  LONG_A,
  LONG_B,
  D1,
  D2,
  [1, 2],
  { a: 1 },
];

function index(
  order: 'ASC' | 'DESC',
  caseInsensitive: boolean,
  paths = ['v'],
  keyFormat?: number,
): IndexRecord {
  return {
    ...(keyFormat === undefined ? {} : { keyFormat }),
    name: 'i',
    fields: paths.map((path, i) => ({ path, order: i === paths.length - 1 ? order : 'ASC' })),
    unique: false,
    caseInsensitive,
    status: 'ACTIVE',
    slot: 2,
    token: 't',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

const inside = (intervals: readonly KeyInterval[] | undefined, key: string) =>
  intervals === undefined || intervals.some((r) => r.lo <= key && key <= r.hi);

/** [condition on `v`, usable on a case-sensitive index, usable on a caseInsensitive one] */
const CONDITIONS: [unknown, boolean, boolean][] = [
  [{ $eq: 5 }, true, true],
  [{ $eq: 'apple' }, true, true],
  [{ $eq: 'Apple' }, true, true],
  [{ $eq: null }, true, true],
  [{ $eq: true }, true, true],
  [{ $eq: D1 }, true, true],
  [{ $eq: [1, 2] }, true, true],
  [{ $eq: { a: 1 } }, true, true],
  [{ $eq: LONG_A }, true, true],
  [{ $in: [5, 'apple', null] }, true, true],
  [{ $in: ['Apple', 'apple'] }, true, true],
  [{ $in: [] }, true, true],
  [{ $in: [LONG_A, LONG_B] }, true, true],
  [{ $hasSome: [5, 'apple', null] }, true, true],
  [{ $hasSome: [1, 'z'] }, true, true],
  [{ $hasSome: [] }, true, true],
  [{ $gt: 5 }, true, true],
  [{ $gte: 5 }, true, true],
  [{ $lt: 5 }, true, true],
  [{ $lte: 5 }, true, true],
  [{ $gt: 3, $lte: 7 }, true, true],
  [{ $gt: 7, $lt: 3 }, true, true],
  [{ $gt: false }, true, true],
  [{ $lt: D2 }, true, true],
  [{ $gte: D1, $lt: D2 }, true, true],
  [{ $gt: 'apple' }, true, false],
  [{ $gte: 'a', $lt: 'b' }, true, false],
  [{ $lt: 'a\u0000' }, true, false],
  [{ $gt: LONG_A }, true, false],
  [{ $startsWith: 'ap' }, false, true],
  [{ $startsWith: 'AP' }, false, true],
  [{ $startsWith: '12' }, true, true],
  [{ $startsWith: '' }, true, true],
  [{ $startsWith: 'x'.repeat(590) }, false, true],
  [{ $startsWith: 'ap', $gte: 'apple' }, true, true], // the range on one, the prefix on the other
  [{ $startsWith: '\ud83d' }, false, false], // half of the smile's surrogate pair
  [{ $lt: '\ud83d' }, false, false],
  [{ $gt: '\ude00' }, false, false],
  [{ $startsWith: '\u{1F600}' }, false, true],
];

/** Operands long enough that the key cut (MAX_SK_BYTES) or case folding leaves a superset. */
function looseFor(condition: unknown, caseInsensitive: boolean): boolean {
  const text = JSON.stringify(condition);
  if (text.length > 500) return true;
  if (caseInsensitive && /"\$(eq|in)":\[?[^\]]*"/.test(text)) return true;
  if (/"\$in":\[[^\]]*null/.test(text)) return true; // the key of a missing value is null's
  if (/"\$hasSome"/.test(text)) return true; // every array comes along, holding a value or not
  if (/startsWith.*\$gte/.test(text)) return true; // one of the two bounds the key, memory the other
  return false;
}

/**
 * Item ids: keys ending with them (ID_SUFFIX_FORMAT) must be selected exactly as the fields-only
 * keys are, whatever bytes the suffix adds (the smallest, the largest, one long enough to be cut).
 */
const IDS = ['\u0000', 'a', '\u{10FFFF}', 'z'.repeat(300)];

describe.each([
  ['ASC', false, undefined],
  ['DESC', false, undefined],
  ['ASC', true, undefined],
  ['DESC', true, undefined],
  ['ASC', false, ID_SUFFIX_FORMAT],
  ['DESC', false, ID_SUFFIX_FORMAT],
  ['ASC', true, ID_SUFFIX_FORMAT],
  ['DESC', true, ID_SUFFIX_FORMAT],
] as const)('an index on v %s, caseInsensitive %s, key format %s', (order, caseInsensitive, keyFormat) => {
  it.each(CONDITIONS)('bounds %j to a superset, exact when it can', (condition, cs, ci) => {
    const usable = caseInsensitive ? ci : cs;
    for (const paths of [['v'], ['k', 'v']]) {
      const idx = index(order, caseInsensitive, paths, keyFormat);
      const filter = parseFilter(paths.length === 2 ? { k: 'p', v: condition } : { v: condition });
      const got = indexKeyCondition(idx, filter);
      if (paths.length === 2) expect(got.equalities).toBeGreaterThanOrEqual(1);
      if (!usable) {
        expect(got.ranged).toBe(false);
        continue;
      }
      expect(got.ranged || got.equalities === paths.length).toBe(true);
      expect(got.intervals).toBeDefined();
      for (const r of got.intervals!) {
        expect(r.lo <= r.hi).toBe(true);
        expect(r.hi.length).toBeLessThanOrEqual(MAX_SK_BYTES * 2 + 1); // a key value DynamoDB accepts
      }
      for (const k of ['p', 'q', 1]) {
        for (const v of VALUES) {
          for (const _id of keyFormat === undefined ? ['a'] : IDS) {
            const item: Record<string, unknown> = v === undefined ? { _id, k } : { _id, k, v };
            const key = indexSk(idx, item);
            const isIn = inside(got.intervals, key);
            const hit = matches(filter, item);
            if (hit) expect({ v, _id, isIn }).toEqual({ v, _id, isIn: true });
            if (!looseFor(condition, caseInsensitive))
              expect({ v, k, _id, isIn }).toEqual({ v, k, _id, isIn: hit });
          }
        }
      }
    }
  });
});

describe('index key conditions', () => {
  const asc = index('ASC', false);
  const intervals = (filter: unknown) => indexKeyCondition(asc, parseFilter(filter)).intervals;

  it('are undefined when the filter bounds no leading field', () => {
    expect(indexKeyCondition(index('ASC', false, ['k', 'v']), parseFilter({ v: 5 }))).toEqual({
      equalities: 0,
      ranged: false,
      points: false,
      intervals: undefined,
    });
    expect(intervals({ v: { $contains: 'a' } })).toBeUndefined();
    expect(intervals({ $or: [{ v: 1 }, { v: 2 }] })).toBeUndefined();
  });

  it('are empty when no value can match', () => {
    expect(intervals({ v: { $in: [] } })).toEqual([]);
    expect(intervals({ v: { $gt: 7, $lt: 3 } })).toEqual([]);
    expect(intervals({ $and: [{ v: 1 }, { v: 2 }] })).toEqual([]);
  });

  it('give one interval per distinct $in value, in key order, up to MAX_IN_QUERIES', () => {
    const got = intervals({ v: { $in: [7, 3, 7, 5] } })!;
    expect(got).toHaveLength(3);
    expect([...got].sort((a, b) => (a.lo < b.lo ? -1 : 1))).toEqual(got);
    const many = Array.from({ length: MAX_IN_QUERIES + 1 }, (_, i) => i);
    expect(intervals({ v: { $in: many } })).toBeUndefined();
  });

  it('bound $hasSome by one interval per value plus every array, never as points', () => {
    const got = intervals({ v: { $hasSome: [7, 3, 7] } })!;
    expect(got).toHaveLength(3);
    expect([...got].sort((a, b) => (a.lo < b.lo ? -1 : 1))).toEqual(got);
    expect(inside(got, indexSk(asc, { _id: 'a', v: [3, 9] }))).toBe(true);
    expect(inside(got, indexSk(asc, { _id: 'a', v: 5 }))).toBe(false);
    const two = index('ASC', false, ['k', 'v']);
    expect(indexKeyCondition(two, parseFilter({ k: { $hasSome: ['p', 'q'] }, v: 5 }))).toMatchObject({
      equalities: 0,
      ranged: true,
      points: false,
    });
    const many = Array.from({ length: MAX_IN_QUERIES }, (_, i) => i);
    expect(intervals({ v: { $hasSome: many.slice(1) } })).toHaveLength(MAX_IN_QUERIES);
    expect(intervals({ v: { $hasSome: many } })).toBeUndefined();
  });

  it('merge values whose cut keys coincide, so no item is read twice', () => {
    expect(intervals({ v: { $in: [LONG_A, LONG_B] } })).toHaveLength(1);
  });

  it('fix leading fields by equality and bound the next one', () => {
    const two = index('ASC', false, ['k', 'v']);
    expect(indexKeyCondition(two, parseFilter({ k: 'p', v: 5 }))).toMatchObject({
      equalities: 2,
      ranged: false,
    });
    expect(indexKeyCondition(two, parseFilter({ k: 'p', v: { $gt: 5 } }))).toMatchObject({
      equalities: 1,
      ranged: true,
    });
    expect(indexKeyCondition(two, parseFilter({ k: { $in: ['p', 'q'] }, v: 5 }))).toMatchObject({
      equalities: 0,
      ranged: true,
      points: true,
    });
    expect(indexKeyCondition(two, parseFilter({ k: { $in: ['p', 'q'], $gte: 'q' } }))).toMatchObject({
      ranged: true,
      points: true,
    });
    expect(indexKeyCondition(two, parseFilter({ k: { $in: ['p', 'q'], $startsWith: '1' } }))).toMatchObject({
      points: false,
    });
    expect(indexKeyCondition(two, parseFilter({ k: { $in: [LONG_A, LONG_B] } }))).toMatchObject({
      points: false, // cut keys: the values' intervals are merged into one
    });
  });

  it.each([
    ['3a', '3a'.slice(0, 1) + '9g'],
    ['30', '3'],
    ['ff', 'feg'],
    ['a0', 'a'],
  ])('put the bound just below every key starting with %s', (q, expected) => {
    expect(before(q)).toBe(expected);
  });
});
