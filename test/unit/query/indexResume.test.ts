/**
 * Where a cursor follow-up resumes inside an index (query/indexResume.ts), checked against the real
 * key encoding and the in-memory sort: for every position in a walk, the resumed intervals hold the
 * key of every later match (nothing lost) and, unless the position's key was cut at MAX_SK_BYTES,
 * no key at or before the position (nothing repeated, nothing read twice).
 */
import type { IndexRecord } from '../../../lambda/model/collection';
import type { SortKey } from '../../../lambda/query/ast';
import { matches } from '../../../lambda/query/evaluate';
import { indexKeyCondition, type KeyInterval } from '../../../lambda/query/indexKeyRange';
import { positionKey, resumeIntervals } from '../../../lambda/query/indexResume';
import { parseFilter } from '../../../lambda/query/parse';
import { sortRows } from '../../../lambda/query/sort';
import { getPath } from '../../../lambda/query/values';
import { ID_SUFFIX_FORMAT, indexSk, MAX_SK_BYTES } from '../../../lambda/store/indexKeys';

const LONG = 'x'.repeat(600);

/** Ties on every value, missing and null values, and values whose keys are cut. */
const ITEMS: Record<string, unknown>[] = [];
const VALUES: unknown[] = [undefined, null, 1, 1, 2, 2, 2, 3.5, 'a', 'b', LONG + 'a', LONG + 'a', LONG + 'b'];
for (let i = 0; i < VALUES.length * 3; i++) {
  const v = VALUES[i % VALUES.length];
  ITEMS.push({ _id: `id${String(i).padStart(3, '0')}`, cat: `c${i % 2}`, ...(v === undefined ? {} : { v }) });
}

function index(fields: [string, 'ASC' | 'DESC'][]): IndexRecord {
  return {
    name: 'i',
    fields: fields.map(([path, order]) => ({ path, order })),
    unique: false,
    caseInsensitive: false,
    status: 'ACTIVE',
    slot: 1,
    token: 't',
    keyFormat: ID_SUFFIX_FORMAT,
    createdAt: '2026-01-01T00:00:00.000Z',
  } as IndexRecord;
}

const inside = (intervals: readonly KeyInterval[], key: string) =>
  intervals.some((r) => r.lo <= key && key <= r.hi);

// [name, index, effective sort, filter, read backwards]
const CASES: [string, IndexRecord, SortKey[], unknown, boolean][] = [
  [
    'v ASC',
    index([['v', 'ASC']]),
    [
      { field: 'v', desc: false },
      { field: '_id', desc: false },
    ],
    {},
    false,
  ],
  [
    'v DESC on a DESC index read forwards',
    index([['v', 'DESC']]),
    [
      { field: 'v', desc: true },
      { field: '_id', desc: false },
    ],
    {},
    false,
  ],
  [
    'v ASC with v > 1 (the filter bound intersects)',
    index([['v', 'ASC']]),
    [
      { field: 'v', desc: false },
      { field: '_id', desc: false },
    ],
    { v: { $gt: 1 } },
    false,
  ],
  [
    'cat = c1 by v DESC, _id ASC (an equality before the sort)',
    index([
      ['cat', 'ASC'],
      ['v', 'DESC'],
    ]),
    [
      { field: 'v', desc: true },
      { field: '_id', desc: false },
    ],
    { cat: 'c1', v: { $lte: 2 } },
    false,
  ],
  [
    'cat = c0 by _id DESC, read backwards',
    index([['cat', 'ASC']]),
    [{ field: '_id', desc: true }],
    { cat: 'c0' },
    true,
  ],
  [
    'v ASC, _id DESC on an ASC index read backwards',
    index([['v', 'ASC']]),
    [
      { field: 'v', desc: true },
      { field: '_id', desc: true },
    ],
    {},
    true,
  ],
];

describe('resuming inside an index after a cursor position', () => {
  it.each(CASES)(
    '%s: every later match inside, nothing at or before a whole key',
    (_n, idx, sort, raw, desc) => {
      const filter = parseFilter(raw);
      const walk = sortRows(
        ITEMS.filter((item) => matches(filter, item)),
        sort,
      );
      expect(walk.length).toBeGreaterThan(5);
      const condition = indexKeyCondition(idx, filter);
      for (let i = 0; i < walk.length; i++) {
        const position = sort.map((s) => getPath(walk[i]!, s.field).value ?? null);
        const key = positionKey(idx, sort, position, filter);
        expect(key).toBe(indexSk(idx, walk[i]!));
        const intervals = resumeIntervals(condition.intervals, key!, desc);
        for (let j = i + 1; j < walk.length; j++)
          expect(inside(intervals, indexSk(idx, walk[j]!))).toBe(true);
        if (key!.length < MAX_SK_BYTES * 2)
          for (let j = 0; j <= i; j++) expect(inside(intervals, indexSk(idx, walk[j]!))).toBe(false);
      }
    },
  );

  it('reads nothing past the last position', () => {
    const idx = index([['v', 'ASC']]);
    const last = indexSk(idx, { _id: 'zzz', v: 'b' });
    expect(resumeIntervals([{ lo: '40', hi: last }], last, false)).toEqual([]);
    expect(resumeIntervals([{ lo: last, hi: `${last}g` }], last, true)).toEqual([]);
  });

  it('bounds a cut position key inclusively', () => {
    const idx = index([['v', 'ASC']]);
    const key = indexSk(idx, { _id: 'a', v: LONG });
    expect(key).toHaveLength(MAX_SK_BYTES * 2);
    expect(resumeIntervals(undefined, key, false)).toEqual([{ lo: key, hi: 'g' }]);
    expect(resumeIntervals(undefined, key, true)).toEqual([{ lo: '0', hi: key }]);
  });

  it('gives no key when an index field before the sort has no equality in the filter', () => {
    const idx = index([
      ['cat', 'ASC'],
      ['v', 'ASC'],
    ]);
    const sort = [
      { field: 'v', desc: false },
      { field: '_id', desc: false },
    ];
    expect(positionKey(idx, sort, [1, 'id001'], parseFilter({ cat: { $gt: 'c' } }))).toBeUndefined();
    expect(positionKey(idx, sort, [1, 'id001'], parseFilter({ cat: 'c1' }))).toBe(
      indexSk(idx, { _id: 'id001', cat: 'c1', v: 1 }),
    );
  });
});
