/** Which values a unique index treats as equal (store/uniqueness.ts): the key of a value. */
import fc from 'fast-check';
import { deepEqual } from '../../lambda/query/values';
import {
  MAX_VALUE_KEY_BYTES,
  claimsOf,
  uniqueValueKey,
  type UniqueIndexSpec,
} from '../../lambda/store/uniqueness';

function spec(caseInsensitive = false, path = 'v'): UniqueIndexSpec {
  return { name: 'u', slot: 3, token: 'tok', caseInsensitive, fields: [{ path, order: 'ASC' }] };
}

const key = (v: unknown, ci = false) => uniqueValueKey(spec(ci), v === undefined ? {} : { v });

describe('unique value keys', () => {
  it.each([
    { label: 'missing', value: undefined },
    { label: 'null', value: null },
  ])('gives no key (claims nothing) for a $label value', ({ value }) => {
    expect(key(value)).toBeUndefined();
    expect(claimsOf([spec()], value === undefined ? {} : { v: value })).toEqual([]);
  });

  it.each([
    { a: 1, b: 1.0, equal: true },
    { a: 0, b: -0, equal: true },
    { a: 1, b: '1', equal: false },
    { a: true, b: 1, equal: false },
    { a: 'Ab', b: 'ab', equal: false },
    { a: { x: 1, y: [2] }, b: { y: [2], x: 1 }, equal: true },
    { a: [1, 2], b: [2, 1], equal: false },
    { a: { $date: '2026-01-01T00:00:00.000Z' }, b: '2026-01-01T00:00:00.000Z', equal: false },
  ])('$a and $b: equal = $equal', ({ a, b, equal }) => {
    expect(key(a) === key(b)).toBe(equal);
  });

  it('folds case only for a caseInsensitive index', () => {
    expect(key('ÄBC', true)).toBe(key('äbc', true));
    expect(key('ÄBC')).not.toBe(key('äbc'));
  });

  it('hashes long values: fixed length, still exact', () => {
    const long = 'x'.repeat(MAX_VALUE_KEY_BYTES * 3);
    expect(key(long)).toMatch(/^h[0-9a-f]{64}$/);
    expect(key(long)).toBe(key(`${long}`));
    expect(key(`${long}a`)).not.toBe(key(`${long}b`));
    expect(key('short')).toMatch(/^[0-9a-f]+$/);
  });

  it('names the index, the field and the claim on the item', () => {
    const [claim] = claimsOf([spec(false, 'address.city')], { address: { city: 'Oslo' } });
    expect(claim).toMatchObject({ attr: 'g3u', index: 'u', field: 'address.city', value: 'Oslo' });
    expect(claim!.sk.startsWith('tok#')).toBe(true);
  });

  it('gives two values the same key exactly when they are deepEqual (property)', () => {
    const value = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('a', 'A', 'b', ''),
      fc.boolean(),
      fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
      fc.dictionary(fc.constantFrom('p', 'q'), fc.integer({ min: 0, max: 1 })),
    );
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(key(a) === key(b)).toBe(deepEqual(a, b));
      }),
    );
  });
});
