/**
 * Where a cursor follow-up resumes inside an index (query/indexResume.ts), checked against the real
 * key encoding and the in-memory sort: for every position in a walk, the resumed intervals hold the
 * key of every later match (nothing lost) and, unless the position's key was cut at MAX_SK_BYTES,
 * no key at or before the position (nothing repeated, nothing read twice). A follow-up resumed
 * from its run (the index read against the `_id` tie-break) reads no key before that run.
 */
import type { IndexRecord } from '../../../lambda/model/collection';
import type { SortKey } from '../../../lambda/query/ast';
import { matches } from '../../../lambda/query/evaluate';
import { indexKeyCondition, type KeyInterval } from '../../../lambda/query/indexKeyRange';
import { indexCandidates } from '../../../lambda/query/indexPlan';
import {
  mergePositionKeys,
  positionKey,
  resumeIntervals,
  resumeRead,
  type ResumeFrom,
} from '../../../lambda/query/indexResume';
import { parseFilter } from '../../../lambda/query/parse';
import { sortRows } from '../../../lambda/query/sort';
import { getPath } from '../../../lambda/query/values';
import { ID_SUFFIX_FORMAT, indexFieldsSk, indexSk, MAX_SK_BYTES } from '../../../lambda/store/indexKeys';

const LONG = 'x'.repeat(600);

/** Ties on every value, missing and null values, mixed types, case, and values whose keys are cut. */
const ITEMS: Record<string, unknown>[] = [];
const VALUES: unknown[] = [
  undefined,
  null,
  1,
  1,
  2,
  2,
  2,
  3.5,
  'a',
  'B',
  'b',
  LONG + 'a',
  LONG + 'a',
  LONG + 'b',
];
for (let i = 0; i < VALUES.length * 3; i++) {
  const v = VALUES[i % VALUES.length];
  ITEMS.push({ _id: `id${String(i).padStart(3, '0')}`, cat: `c${i % 3}`, ...(v === undefined ? {} : { v }) });
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

const asc = (field: string): SortKey => ({ field, desc: false });
const desc = (field: string): SortKey => ({ field, desc: true });

// [name, index, effective sort, filter, read backwards, resumed from, a `$in` merge]
const CASES: [string, IndexRecord, SortKey[], unknown, boolean, ResumeFrom, boolean][] = [
  ['v ASC', index([['v', 'ASC']]), [asc('v'), asc('_id')], {}, false, 'key', false],
  [
    'v DESC on a DESC index read forwards',
    index([['v', 'DESC']]),
    [desc('v'), asc('_id')],
    {},
    false,
    'key',
    false,
  ],
  [
    'v ASC with v > 1 (the filter bound intersects)',
    index([['v', 'ASC']]),
    [asc('v'), asc('_id')],
    { v: { $gt: 1 } },
    false,
    'key',
    false,
  ],
  [
    'cat = c1 by v DESC, _id ASC (an equality before the sort)',
    index([
      ['cat', 'ASC'],
      ['v', 'DESC'],
    ]),
    [desc('v'), asc('_id')],
    { cat: 'c1', v: { $lte: 3.5 } },
    false,
    'key',
    false,
  ],
  [
    'cat = c0 by _id DESC, read backwards',
    index([['cat', 'ASC']]),
    [desc('_id')],
    { cat: 'c0' },
    true,
    'key',
    false,
  ],
  [
    'v DESC, _id DESC on an ASC index read backwards',
    index([['v', 'ASC']]),
    [desc('v'), desc('_id')],
    {},
    true,
    'key',
    false,
  ],
  [
    'v DESC, _id ASC on an ASC index read backwards (from the run)',
    index([['v', 'ASC']]),
    [desc('v'), asc('_id')],
    {},
    true,
    'run',
    false,
  ],
  [
    'v ASC on a DESC index read backwards (from the run)',
    index([['v', 'DESC']]),
    [asc('v'), asc('_id')],
    {},
    true,
    'run',
    false,
  ],
  [
    'v DESC with v <= 2 read backwards (the filter bound meets the run bound)',
    index([['v', 'ASC']]),
    [desc('v'), asc('_id')],
    { v: { $lte: 2 } },
    true,
    'run',
    false,
  ],
  [
    'cat = c2 by v ASC on (cat, v DESC) read backwards (from the run)',
    index([
      ['cat', 'ASC'],
      ['v', 'DESC'],
    ]),
    [asc('v'), asc('_id')],
    { cat: 'c2' },
    true,
    'run',
    false,
  ],
  [
    'cat $in [c0, c2] by v DESC on (cat, v DESC): each interval from its key',
    index([
      ['cat', 'ASC'],
      ['v', 'DESC'],
    ]),
    [desc('v'), asc('_id')],
    { cat: { $in: ['c2', 'c0'] } },
    false,
    'key',
    true,
  ],
  [
    'cat $in [c0, c1, c2] by v ASC on (cat, v ASC) with v >= 2',
    index([
      ['cat', 'ASC'],
      ['v', 'ASC'],
    ]),
    [asc('v'), asc('_id')],
    { cat: { $in: ['c0', 'c1', 'c2'] }, v: { $gte: 2 } },
    false,
    'key',
    true,
  ],
  [
    'cat $in [c0, c1] by v ASC on (cat, v DESC) read backwards: each interval from its run',
    index([
      ['cat', 'ASC'],
      ['v', 'DESC'],
    ]),
    [asc('v'), asc('_id')],
    { cat: { $in: ['c0', 'c1'] } },
    true,
    'run',
    true,
  ],
];

describe('resuming inside an index after a cursor position', () => {
  it.each(CASES)(
    '%s: every later match inside, nothing at or before a whole key, nothing before a run',
    (_n, idx, sort, raw, descending, from, merge) => {
      const filter = parseFilter(raw);
      const walk = sortRows(
        ITEMS.filter((item) => matches(filter, item)),
        sort,
      );
      expect(walk.length).toBeGreaterThan(5);
      // the planner reads this index as the row says (so the row tests the path the reader takes)
      const [candidate] = indexCandidates([idx], filter, sort);
      expect(candidate?.order).toEqual({ descending, merge });
      expect(candidate?.idOrder).toBe(from === 'key');
      const condition = indexKeyCondition(idx, filter);
      for (let i = 0; i < walk.length; i++) {
        const position = sort.map((s) => getPath(walk[i]!, s.field).value ?? null);
        if (!merge) {
          const key = positionKey(idx, sort, position, filter, from);
          expect(key).toBe(from === 'key' ? indexSk(idx, walk[i]!) : indexFieldsSk(idx, walk[i]!));
        }
        const intervals = resumeRead(idx, sort, position, filter, condition.intervals, {
          descending,
          merge,
          from,
        })!;
        for (let j = i + 1; j < walk.length; j++)
          expect(inside(intervals, indexSk(idx, walk[j]!))).toBe(true);
        const own = indexSk(idx, walk[i]!);
        if (own.length >= MAX_SK_BYTES * 2) continue; // a cut key bounds inclusively
        // a run: equal values of the sort's fields (for a merge, whatever the `$in` value)
        const sorted = { ...idx, fields: idx.fields.filter((f) => sort.some((k) => k.field === f.path)) };
        const run = indexFieldsSk(sorted, walk[i]!);
        for (let j = 0; j <= i; j++) {
          const other = indexSk(idx, walk[j]!);
          // from a run: only the position's run is read again (the reader drops its rows up to the position)
          const again = from === 'run' && indexFieldsSk(sorted, walk[j]!) === run;
          if (!again) expect(inside(intervals, other)).toBe(false);
        }
      }
    },
  );

  it('gives each $in interval the key an item of that value at the position has', () => {
    const idx = index([
      ['cat', 'ASC'],
      ['v', 'DESC'],
    ]);
    const filter = parseFilter({ cat: { $in: ['c0', 'c1', 'c2'] } });
    const { intervals } = indexKeyCondition(idx, filter);
    const sort = [desc('v'), asc('_id')];
    for (const v of [null, 2, 'B', LONG + 'a']) {
      const prefixes = intervals!.map((r) => r.lo);
      const at = (cat: string) => ({ _id: 'id007', cat, v });
      expect(mergePositionKeys(idx, sort, [v, 'id007'], prefixes, 'key')).toEqual(
        ['c0', 'c1', 'c2'].map((cat) => indexSk(idx, at(cat))),
      );
      expect(mergePositionKeys(idx, sort, [v, 'id007'], prefixes, 'run')).toEqual(
        ['c0', 'c1', 'c2'].map((cat) => indexFieldsSk(idx, at(cat))),
      );
    }
  });

  it("keeps each resumed $in interval's prefix, which the merge orders keys after", () => {
    const key = '40aa00';
    expect(resumeIntervals([{ lo: '40aa', hi: '40aag' }], key, false)).toEqual([
      { lo: `${key}0`, hi: '40aag', prefix: '40aa' },
    ]);
    expect(resumeIntervals([{ lo: '40aa', hi: '40aag' }], key, true, 'run')).toEqual([
      { lo: '40aa', hi: `${key}g`, prefix: '40aa' },
    ]);
  });

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
