/** The legacy filter translators: v1 trees and v2 Mongo-like filters -> the one internal filter. */
import { ValidationError } from '../../lambda/errors';
import { translateFilter, translateV1, translateV2 } from '../../lambda/protocol/legacy/filter';
import { matches } from '../../lambda/query/evaluate';
import { parseFilter } from '../../lambda/query/parse';

const d = (iso: string) => ({ $date: iso });

describe('v1 tree -> internal filter', () => {
  it.each<[string, unknown, unknown]>([
    ['null', null, {}],
    ['missing', undefined, {}],
    ['empty string', '', {}],
    ['empty object', {}, {}],
    ['leaf $eq', { operator: '$eq', fieldName: 'make', value: 'Ford' }, { make: { $eq: 'Ford' } }],
    [
      'leaf with kind',
      { kind: 'filter', operator: '$ne', fieldName: 'make', value: 'Ford' },
      { make: { $ne: 'Ford' } },
    ],
    ['leaf $gt', { operator: '$gt', fieldName: 'year', value: 2018 }, { year: { $gt: 2018 } }],
    ['leaf $lte', { operator: '$lte', fieldName: 'year', value: 2018 }, { year: { $lte: 2018 } }],
    [
      'leaf $hasSome',
      { operator: '$hasSome', fieldName: 'make', value: ['a', 'b'] },
      { make: { $hasSome: ['a', 'b'] } },
    ],
    [
      'leaf $contains',
      { operator: '$contains', fieldName: 'make', value: 'a' },
      { make: { $contains: 'a' } },
    ],
    [
      'leaf $startsWith / $endsWith',
      {
        operator: '$and',
        value: [
          { operator: '$startsWith', fieldName: 'a', value: 'x' },
          { operator: '$endsWith', fieldName: 'b', value: 'y' },
        ],
      },
      { $and: [{ a: { $startsWith: 'x' } }, { b: { $endsWith: 'y' } }] },
    ],
    [
      '$urlized with words',
      { operator: '$urlized', fieldName: 'title', value: ['hello', 'world'] },
      { title: { $urlized: 'hello-world' } },
    ],
    [
      '$urlized with a slug',
      { operator: '$urlized', fieldName: 'title', value: 'hello-world' },
      { title: { $urlized: 'hello-world' } },
    ],
    ['$eq without value is null', { operator: '$eq', fieldName: 'x' }, { x: { $eq: null } }],
    [
      'the docs example',
      {
        operator: '$and',
        value: [
          { operator: '$contains', fieldName: 'make', value: 'a' },
          { operator: '$gt', fieldName: 'year', value: 2018 },
        ],
      },
      { $and: [{ make: { $contains: 'a' } }, { year: { $gt: 2018 } }] },
    ],
    [
      '$or',
      {
        operator: '$or',
        value: [
          { operator: '$eq', fieldName: 'a', value: 1 },
          { operator: '$eq', fieldName: 'a', value: 2 },
        ],
      },
      { $or: [{ a: { $eq: 1 } }, { a: { $eq: 2 } }] },
    ],
    ['empty $and', { operator: '$and', value: [] }, {}],
    ['empty $or', { operator: '$or', value: [] }, {}],
    ['$and without value', { operator: '$and' }, {}],
    [
      '$and of one',
      { operator: '$and', value: [{ operator: '$eq', fieldName: 'a', value: 1 }] },
      { a: { $eq: 1 } },
    ],
    [
      '$not with an array of one',
      { operator: '$not', value: [{ operator: '$eq', fieldName: 'a', value: 1 }] },
      { $not: { a: { $eq: 1 } } },
    ],
    [
      '$not with an object',
      { operator: '$not', value: { operator: '$eq', fieldName: 'a', value: 1 } },
      { $not: { a: { $eq: 1 } } },
    ],
    [
      'date value',
      { operator: '$gte', fieldName: 'added', value: d('2020-01-01T00:00:00.000Z') },
      { added: { $gte: d('2020-01-01T00:00:00.000Z') } },
    ],
    [
      'bare ISO string on a system date field becomes a date',
      { operator: '$lt', fieldName: '_createdDate', value: '2020-01-01T10:00:00Z' },
      { _createdDate: { $lt: d('2020-01-01T10:00:00Z') } },
    ],
    [
      'bare ISO string on a user field stays text',
      { operator: '$eq', fieldName: 'code', value: '2020-01-01T10:00:00Z' },
      { code: { $eq: '2020-01-01T10:00:00Z' } },
    ],
    [
      '$isEmpty / $isNotEmpty',
      {
        operator: '$and',
        value: [
          { operator: '$isEmpty', fieldName: 'a' },
          { operator: '$isNotEmpty', fieldName: 'b', value: true },
        ],
      },
      { $and: [{ a: { $isEmpty: true } }, { b: { $isEmpty: false } }] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(translateV1(input)).toEqual(expected);
    expect(translateFilter(input)).toEqual(expected);
    expect(() => parseFilter(translateFilter(input))).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ['unknown operator', { operator: '$foo', fieldName: 'a', value: 1 }, /Unrecognized operator \$foo/],
    ['V3-only $in', { operator: '$in', fieldName: 'a', value: [1] }, /Unrecognized operator \$in/],
    ['missing fieldName', { operator: '$eq', value: 1 }, /fieldName: must be a non-empty string/],
    ['$and with an object', { operator: '$and', value: { a: 1 } }, /\$and expects an array/],
    ['$not with two', { operator: '$not', value: [{}, {}] }, /\$not expects one filter/],
    ['$urlized with numbers', { operator: '$urlized', fieldName: 't', value: [1] }, /words/],
  ])('refuses %s with a 400', (_name, input, message) => {
    let caught: unknown;
    try {
      translateV1(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).status).toBe(400);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('v2 Mongo-like -> internal filter', () => {
  it.each<[string, unknown, unknown]>([
    ['empty string', '', {}],
    ['null', null, {}],
    ['empty object', {}, {}],
    ['empty array', [], {}],
    ['leaf', { year: { $gt: 2018 } }, { year: { $gt: 2018 } }],
    [
      'dates',
      { _createdDate: { $gte: d('2019-02-01T00:00:00.000Z') } },
      { _createdDate: { $gte: d('2019-02-01T00:00:00.000Z') } },
    ],
    [
      '$and',
      { $and: [{ year: { $gt: 2018 } }, { make: { $eq: 'BMW' } }] },
      { $and: [{ year: { $gt: 2018 } }, { make: { $eq: 'BMW' } }] },
    ],
    [
      '$or',
      { $or: [{ a: { $eq: 1 } }, { b: { $ne: null } }] },
      { $or: [{ a: { $eq: 1 } }, { b: { $ne: null } }] },
    ],
    ['$not with an array of one', { $not: [{ a: { $eq: 1 } }] }, { $not: { a: { $eq: 1 } } }],
    ['$not with an object', { $not: { a: { $eq: 1 } } }, { $not: { a: { $eq: 1 } } }],
    ['bare value is $eq', { _id: '1' }, { _id: { $eq: '1' } }],
    [
      'a date value is a value',
      { d: d('2020-01-01T00:00:00.000Z') },
      { d: { $eq: d('2020-01-01T00:00:00.000Z') } },
    ],
    ['a plain object is a value', { o: { a: 1 } }, { o: { $eq: { a: 1 } } }],
    ['several keys are AND', { a: { $gt: 1 }, b: 'x' }, { $and: [{ a: { $gt: 1 } }, { b: { $eq: 'x' } }] }],
    [
      'several operators on one field are AND',
      { a: { $gt: 1, $lt: 5 } },
      { $and: [{ a: { $gt: 1 } }, { a: { $lt: 5 } }] },
    ],
    ['empty $and', { $and: [] }, {}],
    ['empty $or', { $or: [] }, {}],
    ['$or with an empty branch', { $or: [{}, { a: { $eq: 1 } }] }, {}],
    [
      '$matches',
      { slug: { $matches: { ignoreCase: true, spec: [{ type: 'literal', value: 'a' }] } } },
      { slug: { $matches: { ignoreCase: true, spec: [{ type: 'literal', value: 'a' }] } } },
    ],
    ['$urlized words', { t: { $urlized: ['a', 'b'] } }, { t: { $urlized: 'a-b' } }],
    ['$hasSome empty', { a: { $hasSome: [] } }, { a: { $hasSome: [] } }],
    [
      'a v1 node inside a v2 $and',
      { $and: [{ operator: '$eq', fieldName: 'a', value: 1 }] },
      { a: { $eq: 1 } },
    ],
  ])('%s', (_name, input, expected) => {
    expect(translateV2(input)).toEqual(expected);
    expect(translateFilter(input)).toEqual(expected);
    expect(() => parseFilter(translateFilter(input))).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ['unknown operator', { a: { $foo: 1 } }, /Unrecognized operator \$foo/],
    ['V3-only $exists', { a: { $exists: true } }, /Unrecognized operator \$exists/],
    ['unknown top-level operator', { $nor: [] }, /Unrecognized operator \$nor/],
    ['mixed operator and plain keys', { a: { $gt: 1, b: 2 } }, /cannot be mixed/],
    ['$or with an object', { $or: { a: 1 } }, /\$or expects an array/],
    ['a number', 5, /must be an object/],
    ['a non-empty array', [{ a: 1 }], /must be an object/],
    ['a non-empty string', 'a = 1', /must be an object/],
  ])('refuses %s with a 400', (_name, input, message) => {
    expect(() => translateV2(input)).toThrow(ValidationError);
    expect(() => translateV2(input)).toThrow(message);
  });

  it('refuses filters nested too deeply', () => {
    let deep: unknown = { a: { $eq: 1 } };
    for (let i = 0; i < 100; i++) deep = { $not: deep };
    expect(() => translateFilter(deep)).toThrow(/nested at most/);
  });
});

describe('semantics after translation', () => {
  const items = [
    { _id: '1', make: 'Ford', year: 2017, tags: ['a'] },
    { _id: '2', make: 'BMW', year: 2019 },
    { _id: '3', make: 'Audi', year: 2021, title: 'Hello  World' },
    { _id: '4', year: null },
  ];
  const run = (filter: unknown) =>
    items.filter((i) => matches(parseFilter(translateFilter(filter)), i)).map((i) => i._id);

  it.each<[string, unknown, unknown, string[]]>([
    [
      'and/contains/gt (case-insensitive contains)',
      {
        operator: '$and',
        value: [
          { operator: '$contains', fieldName: 'make', value: 'W' },
          { operator: '$gt', fieldName: 'year', value: 2018 },
        ],
      },
      { $and: [{ make: { $contains: 'W' } }, { year: { $gt: 2018 } }] },
      ['2'],
    ],
    [
      'not',
      { operator: '$not', value: [{ operator: '$eq', fieldName: 'make', value: 'Ford' }] },
      { $not: [{ make: { $eq: 'Ford' } }] },
      ['2', '3', '4'],
    ],
    [
      'eq null: missing or null',
      { operator: '$eq', fieldName: 'year', value: null },
      { year: { $eq: null } },
      ['4'],
    ],
    [
      'ne null: has a value',
      { operator: '$ne', fieldName: 'make', value: null },
      { make: { $ne: null } },
      ['1', '2', '3'],
    ],
    [
      'hasSome on a scalar',
      { operator: '$hasSome', fieldName: 'make', value: ['BMW', 'Audi'] },
      { make: { $hasSome: ['BMW', 'Audi'] } },
      ['2', '3'],
    ],
    [
      'hasSome empty matches nothing',
      { operator: '$hasSome', fieldName: 'make', value: [] },
      { make: { $hasSome: [] } },
      [],
    ],
    [
      'urlized',
      { operator: '$urlized', fieldName: 'title', value: ['hello', 'world'] },
      { title: { $urlized: ['hello', 'world'] } },
      ['3'],
    ],
    ['empty or is no condition', { operator: '$or', value: [] }, { $or: [] }, ['1', '2', '3', '4']],
  ])('%s: v1 and v2 agree', (_name, v1, v2, expected) => {
    expect(run(v1)).toEqual(expected);
    expect(run(v2)).toEqual(expected);
  });
});
