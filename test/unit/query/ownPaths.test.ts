/**
 * Issue 10 item 1: every object built from a caller-chosen path or key reads and writes own
 * properties only. Paths like `__proto__.zz` or `constructor.prototype` never reach a prototype, and
 * items whose own fields are called `__proto__` or `constructor` stay ordinary data.
 */
import { fromAttrMap, toAttrMap } from '../../../lambda/store/codec';
import { toStorable } from '../../../lambda/store/values';
import { legacyAggregateRows, parseLegacyAggregate } from '../../../lambda/protocol/legacy/aggregate';
import { project } from '../../../lambda/query/project';
import { getPath, setPath } from '../../../lambda/query/values';
import { matches } from '../../../lambda/query/evaluate';
import { parseFilter } from '../../../lambda/query/parse';
import { sortRows } from '../../../lambda/query/sort';
import { ValidationError } from '../../../lambda/errors';

const HOSTILE_PATHS = [
  '__proto__.zz',
  '__proto__',
  'constructor.prototype.zz',
  'constructor.prototype',
  'constructor',
  'prototype.zz',
  'toString',
  'a.__proto__.zz',
  'hasOwnProperty.zz',
];

const prototypesBefore = () => ({
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  fn: Object.getOwnPropertyNames(Function.prototype).sort(),
});
const before = prototypesBefore();

afterEach(() => {
  expect(prototypesBefore()).toEqual(before);
  expect(({} as Record<string, unknown>).zz).toBeUndefined();
});

/** JSON text to an object: JSON.parse makes `__proto__` an own key, as a Wix request body would. */
function own(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

describe('setPath writes own properties only', () => {
  it.each(HOSTILE_PATHS)('%s: an own field, never the prototype', (path) => {
    const row: Record<string, unknown> = {};
    setPath(row, path, 'v');
    expect(getPath(row, path)).toEqual({ present: true, value: 'v' });
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual([path.split('.')[0]]);
    // it serialises as data and parses back to the same own fields
    expect(getPath(JSON.parse(JSON.stringify(row)), path)).toEqual({ present: true, value: 'v' });
  });

  it('replaces an inherited value rather than descending into it', () => {
    const row: Record<string, unknown> = {};
    setPath(row, 'toString.x', 1);
    expect(typeof Object.prototype.toString).toBe('function');
    expect((Object.prototype.toString as unknown as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(row, 'toString')?.value).toEqual({ x: 1 });
  });
});

describe('getPath never reads inherited properties', () => {
  it.each(HOSTILE_PATHS)('%s is missing on an ordinary item', (path) => {
    expect(getPath({ a: { b: 1 } }, path)).toEqual({ present: false, value: undefined });
  });

  it.each([
    ['__proto__', '{"__proto__":{"k":1}}', { k: 1 }],
    ['constructor', '{"constructor":"c"}', 'c'],
    ['__proto__.k', '{"__proto__":{"k":1}}', 1],
  ])('%s is read when the item owns it', (path, raw, value) => {
    expect(getPath(own(raw), path)).toEqual({ present: true, value });
  });
});

describe('projection', () => {
  const item = own('{"_id":"x","__proto__":{"k":1,"j":2},"constructor":"c","title":"t"}');

  it.each([
    [['__proto__.k'], '{"_id":"x","__proto__":{"k":1}}'],
    [['constructor'], '{"_id":"x","constructor":"c"}'],
    [['constructor.prototype', 'toString', 'prototype.zz'], '{"_id":"x"}'],
  ])('%j', (fields, expected) => {
    const out = project(item, fields);
    expect(JSON.stringify(out)).toBe(JSON.stringify(own(expected)));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe('filter and sort paths', () => {
  it.each([
    [{ 'constructor.name': 'Object' }, false],
    [{ toString: { $exists: true } }, false],
    [{ '__proto__.k': 1 }, true],
    [{ constructor: 'c' }, true],
  ])('%j matches own fields only', (filter, expected) => {
    expect(matches(parseFilter(filter), own('{"__proto__":{"k":1},"constructor":"c"}'))).toBe(expected);
  });

  it('sorts by an own __proto__ field, and by constructor as missing', () => {
    const rows = [
      own('{"_id":"b","__proto__":{"k":2}}'),
      own('{"_id":"a","__proto__":{"k":1}}'),
      { _id: 'c' },
    ];
    expect(sortRows(rows, [{ field: '__proto__.k', desc: false }]).map((r) => r._id)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(sortRows(rows, [{ field: 'constructor', desc: false }]).map((r) => r._id)).toEqual([
      'b',
      'a',
      'c',
    ]);
  });
});

describe('codec and stored values keep __proto__ and constructor as data', () => {
  it('round-trips', () => {
    const item = own('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"prototype":2}');
    const stored = toStorable(item) as Record<string, unknown>;
    const back = fromAttrMap(toAttrMap(stored));
    expect(JSON.stringify(back)).toBe(JSON.stringify(item));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'constructor', 'prototype']);
  });
});

describe('legacy /data/aggregate translation', () => {
  const request = (processingStep: unknown) => ({ collectionName: 'c', processingStep });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    '{%s: "$x"} is not an aggregation function',
    (fn) => {
      expect(() =>
        parseLegacyAggregate(request(own(`{"_id":"$g","total":{${JSON.stringify(fn)}:"$x"}}`))),
      ).toThrow(ValidationError);
    },
  );

  it('synthesises _id from own group values only', () => {
    const parsed = parseLegacyAggregate(
      request({ _id: { a: '$constructor', b: '$__proto__.zz' }, n: { $sum: 1 } }),
    );
    expect(parsed.spec.groupingFields).toEqual(['constructor', '__proto__.zz']);
    const withOwn = own('{"constructor":"c","__proto__":{"zz":1},"n":1}');
    const empty = own('{"n":1}');
    const [x, y] = legacyAggregateRows([withOwn, empty], parsed);
    expect(x!._id).not.toBe(y!._id);
    // an empty row groups as nulls: the same _id as a row whose values are null
    const [z] = legacyAggregateRows([own('{"constructor":null,"__proto__":{"zz":null},"n":1}')], parsed);
    expect(z!._id).toBe(y!._id);
  });
});
