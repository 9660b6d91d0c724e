/** The order-preserving encoding of indexed values into GSI slot keys (store/indexKeys.ts). */
import fc from 'fast-check';
import { compareForSort, compareStrings } from '../../lambda/query/values';
import {
  ID_SUFFIX_FORMAT,
  MAX_SK_BYTES,
  freeSlotAttributes,
  indexFieldsSk,
  indexAttributes,
  indexPk,
  indexSk,
  type IndexKeySpec,
} from '../../lambda/store/indexKeys';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

function spec(order: 'ASC' | 'DESC' = 'ASC', caseInsensitive = false, paths = ['v']): IndexKeySpec {
  return { slot: 2, token: 't', caseInsensitive, fields: paths.map((path) => ({ path, order })) };
}

const date = fc
  .date({ min: new Date(-8e15), max: new Date(8e15), noInvalidDate: true })
  .map((d) => ({ $date: d.toISOString() }));
/** Every kind Wix items hold, with strings over the awkward code points (NUL, 0x01, astral). */
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 }),
  fc.integer(),
  fc.string({ unit: 'binary-ascii', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', '\u0000', '\u0001', '\u0002', 'a', 'a\u0000', 'ab', 'b', '\u{1F600}', '\uFFFF'),
  date,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

const item = (v: unknown): Record<string, unknown> => (v === undefined ? {} : { v });

describe('index sort keys', () => {
  it('order items exactly as the in-memory sort does (ASC)', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const keys = compareStrings(indexSk(spec(), item(a)), indexSk(spec(), item(b)));
        expect(sign(keys)).toBe(sign(compareForSort(a, b)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reverse that order for DESC', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const keys = compareStrings(indexSk(spec('DESC'), item(a)), indexSk(spec('DESC'), item(b)));
        expect(sign(keys)).toBe(sign(-compareForSort(a, b)));
      }),
      { numRuns: 3000 },
    );
  });

  it('order two-field tuples field by field, each in its own direction', () => {
    const both: IndexKeySpec = {
      slot: 3,
      token: 't',
      caseInsensitive: false,
      fields: [
        { path: 'a', order: 'ASC' },
        { path: 'b.c', order: 'DESC' },
      ],
    };
    fc.assert(
      fc.property(value, value, value, value, (a1, b1, a2, b2) => {
        const x = { a: a1, b: { c: b1 } };
        const y = { a: a2, b: { c: b2 } };
        const expected = compareForSort(a1, a2) || -compareForSort(b1, b2) || 0;
        expect(sign(compareStrings(indexSk(both, x), indexSk(both, y)))).toBe(sign(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('never reverse two items once cut to the key size limit (a superset, never a wrong order)', () => {
    const long = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 400 });
    fc.assert(
      fc.property(long, long, (a, b) => {
        const ka = indexSk(spec(), { v: a });
        const kb = indexSk(spec(), { v: b });
        expect(ka.length).toBeLessThanOrEqual(MAX_SK_BYTES * 2);
        const cmp = compareForSort(a, b);
        const keys = compareStrings(ka, kb);
        // equal keys are allowed only for values that were cut; otherwise the order is exact
        if (keys !== 0) expect(sign(keys)).toBe(sign(cmp));
        else if (cmp !== 0) expect(Buffer.byteLength(a) + Buffer.byteLength(b)).toBeGreaterThan(MAX_SK_BYTES);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['missing and null are the same, first', {}, { v: null }, 0],
    ['false before true', { v: false }, { v: true }, -1],
    ['booleans before numbers', { v: true }, { v: -1e100 }, -1],
    ['negative before zero before fractions', { v: -0.5 }, { v: 0 }, -1],
    ['numbers before strings', { v: 1e100 }, { v: '' }, -1],
    ['a prefix before its extensions', { v: 'ab' }, { v: 'ab\u0000' }, -1],
    ['strings before dates', { v: 'zzz' }, { v: { $date: '1970-01-01T00:00:00.000Z' } }, -1],
    [
      'dates by their ISO text, as the evaluator and DynamoDB filters compare them',
      { v: { $date: '-000100-01-01T00:00:00.000Z' } },
      { v: { $date: '0001-01-01T00:00:00.000Z' } },
      -1,
    ],
    ['nested paths read the nested value', { v: { x: 1 } }, { v: { x: 2 } }, -1],
  ])('%s', (_label, a, b, expected) => {
    expect(sign(compareStrings(indexSk(spec(), a), indexSk(spec(), b)))).toBe(expected);
  });

  it('fold case for caseInsensitive, so "Apple" and "apple" share a key', () => {
    expect(indexSk(spec('ASC', true), { v: 'Apple' })).toBe(indexSk(spec('ASC', true), { v: 'apple' }));
    expect(indexSk(spec('ASC', false), { v: 'Apple' })).not.toBe(indexSk(spec('ASC', false), { v: 'apple' }));
  });

  it('read system fields and nested paths from the Wix item', () => {
    const s: IndexKeySpec = {
      slot: 4,
      token: 't',
      caseInsensitive: false,
      fields: [
        { path: '_owner', order: 'ASC' },
        { path: 'address.city', order: 'ASC' },
      ],
    };
    expect(indexSk(s, { _owner: 'u1', address: { city: 'Oslo' } })).not.toBe(
      indexSk(s, { _owner: 'u1', address: { city: 'Rome' } }),
    );
  });
});

describe('index sort keys with the _id suffix', () => {
  const suffixed = (order: 'ASC' | 'DESC' = 'ASC', paths = ['v']): IndexKeySpec => ({
    ...spec(order, false, paths),
    keyFormat: ID_SUFFIX_FORMAT,
  });
  const id = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.constantFrom('a', 'a\u0000', 'ab', 'b', '\u0001'),
  );

  it.each(['ASC', 'DESC'] as const)(
    'order by the fields (%s) then by _id ascending, exactly as the in-memory sort does',
    (order) => {
      fc.assert(
        fc.property(value, id, value, id, (a, ia, b, ib) => {
          const x = { ...item(a), _id: ia };
          const y = { ...item(b), _id: ib };
          const keys = compareStrings(indexSk(suffixed(order), x), indexSk(suffixed(order), y));
          const byField = order === 'DESC' ? -compareForSort(a, b) : compareForSort(a, b);
          expect(sign(keys)).toBe(sign(byField || compareStrings(ia, ib)));
        }),
        { numRuns: 3000 },
      );
    },
  );

  it('start with the fields-only key, so a key condition on the fields selects every suffix', () => {
    fc.assert(
      fc.property(value, value, id, (a, b, i) => {
        const two = suffixed('ASC', ['v', 'w']);
        const row = { ...item(a), w: b, _id: i };
        const full = indexSk(two, row);
        const fields = indexFieldsSk(two, row);
        expect(full.startsWith(fields)).toBe(true);
        expect(fields).toBe(indexSk(spec('ASC', false, ['v', 'w']), row));
      }),
      { numRuns: 1000 },
    );
  });

  it('leave keys without the suffix on indexes of the earlier format', () => {
    expect(indexSk(spec(), { v: 'x', _id: 'id1' })).toBe(indexSk(spec(), { v: 'x', _id: 'id2' }));
    expect(indexSk(suffixed(), { v: 'x', _id: 'id1' })).not.toBe(indexSk(suffixed(), { v: 'x', _id: 'id2' }));
  });

  it('only tie, never reverse, two items when the key is cut inside the fields or the _id', () => {
    const long = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 300 });
    const longId = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(long, longId, long, longId, (a, ia, b, ib) => {
        const ka = indexSk(suffixed(), { v: a, _id: ia });
        const kb = indexSk(suffixed(), { v: b, _id: ib });
        expect(ka.length).toBeLessThanOrEqual(MAX_SK_BYTES * 2);
        const want = compareForSort(a, b) || compareStrings(ia, ib);
        const keys = compareStrings(ka, kb);
        if (keys !== 0) expect(sign(keys)).toBe(sign(want));
        else if (want !== 0) expect(ka.length).toBe(MAX_SK_BYTES * 2);
      }),
      { numRuns: 1000 },
    );
  });

  it('cut at the limit: a field of the full key size leaves no room for the _id', () => {
    const big = 'x'.repeat(MAX_SK_BYTES);
    const a = indexSk(suffixed(), { v: big, _id: 'a' });
    expect(a).toBe(indexSk(suffixed(), { v: big, _id: 'b' }));
    expect(a.length).toBe(MAX_SK_BYTES * 2);
  });
});

describe('index key attributes', () => {
  const scope = { tenant: 't#1', collectionId: 'c#2', generation: 'g3' };

  it('put each index on its own slot, in a partition per tenant, collection, generation and index', () => {
    const a = { ...spec(), slot: 2, token: 'aa' };
    const b = { ...spec('DESC'), slot: 5, token: 'bb' };
    const attrs = indexAttributes(scope, [a, b], { v: 3 });
    expect(Object.keys(attrs).sort()).toEqual(['g2pk', 'g2sk', 'g5pk', 'g5sk']);
    expect(attrs.g2pk).toBe('X#t%231#c%232#g3#aa');
    expect(attrs.g5pk).toBe(indexPk(scope, b));
    expect(indexPk({ ...scope, generation: 'g4' }, a)).not.toBe(attrs.g2pk);
    expect(indexPk({ ...scope, tenant: 't' }, a)).not.toBe(indexPk({ ...scope, tenant: 't#1#c' }, a));
  });

  it('names the attributes of the slots no index holds, for an update to clear', () => {
    expect(
      freeSlotAttributes([
        { ...spec(), slot: 2 },
        { ...spec(), slot: 4 },
      ]),
    ).toEqual(['g1pk', 'g1sk', 'g3pk', 'g3sk', 'g5pk', 'g5sk']);
  });
});
