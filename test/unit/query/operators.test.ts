/**
 * Operator semantics, table-driven: every row is (item, filter, expected match) through parseFilter +
 * matches, the evaluator that is the reference for what DynamoDB-backed queries must return.
 */
import { parseFilter } from '../../../lambda/query/parse';
import { matchesFilter, type Item } from '../../helpers/queryRef';

type Row = [string, Item, unknown, boolean];

function table(rows: Row[]): void {
  it.each(rows)('%s', (_name, item, filter, expected) => {
    expect(matchesFilter(item, filter)).toBe(expected);
  });
}

const D1 = { $date: '2020-01-01T00:00:00.000Z' };
const D2 = { $date: '2020-06-15T12:30:00.000Z' };
const URL_SPEC = {
  ignoreCase: true,
  spec: [
    { type: 'literal', value: 'a' },
    { type: 'anyOf', value: ' -' },
  ],
};
const NEW_YORK = {
  ignoreCase: true,
  spec: [
    { type: 'literal', value: 'new' },
    { type: 'anyOf', value: ' -' },
    { type: 'literal', value: 'york' },
  ],
};

describe('$eq (shorthand and explicit)', () => {
  table([
    ['number shorthand equal', { n: 5 }, { n: 5 }, true],
    ['number shorthand different', { n: 6 }, { n: 5 }, false],
    ['number vs numeric string', { n: '5' }, { n: 5 }, false],
    ['explicit number equal', { n: 5 }, { n: { $eq: 5 } }, true],
    ['explicit missing field', {}, { n: { $eq: 5 } }, false],
    ['fractions and negatives', { n: -2.5 }, { n: -2.5 }, true],
    ['strings are case-sensitive', { t: 'Abc' }, { t: 'abc' }, false],
    ['strings equal', { t: 'Abc' }, { t: { $eq: 'Abc' } }, true],
    ['empty string equals empty string', { t: '' }, { t: '' }, true],
    ['boolean equal', { b: false }, { b: false }, true],
    ['boolean vs 0', { b: 0 }, { b: false }, false],
    ['null shorthand matches missing', {}, { n: null }, true],
    ['null shorthand matches null', { n: null }, { n: null }, true],
    ['null shorthand does not match 0', { n: 0 }, { n: null }, false],
    ['null shorthand does not match empty string', { n: '' }, { n: null }, false],
    ['explicit null matches missing', {}, { n: { $eq: null } }, true],
    ['explicit null does not match a value', { n: 'x' }, { n: { $eq: null } }, false],
    [
      'object shorthand is a value (deep, key-order free)',
      { o: { a: 1, b: [1, 2] } },
      { o: { b: [1, 2], a: 1 } },
      true,
    ],
    ['object shorthand is not a partial match', { o: { a: 1, b: 2 } }, { o: { a: 1 } }, false],
    ['array shorthand is exact and ordered', { tags: ['a', 'b'] }, { tags: ['a', 'b'] }, true],
    ['array shorthand order matters', { tags: ['a', 'b'] }, { tags: ['b', 'a'] }, false],
    ['scalar shorthand does not match an array holding it', { tags: ['a'] }, { tags: 'a' }, false],
    ['{$date} shorthand is a value (normalised)', { d: D1 }, { d: { $date: '2020-01-01T00:00:00Z' } }, true],
    ['{$date} shorthand, different instant', { d: D2 }, { d: D1 }, false],
    ['{$date} does not equal its ISO string', { d: '2020-01-01T00:00:00.000Z' }, { d: D1 }, false],
    ['{$encrypted} shorthand is a value', { s: { $encrypted: 'xyz' } }, { s: { $encrypted: 'xyz' } }, true],
    ['{$encrypted} different', { s: { $encrypted: 'xyz' } }, { s: { $encrypted: 'abc' } }, false],
    ['dotted path', { address: { city: 'Paris' } }, { 'address.city': 'Paris' }, true],
    ['dotted path through a string is missing', { address: 'Paris' }, { 'address.city': 'Paris' }, false],
    ['dotted path through a string is null-equal', { address: 'Paris' }, { 'address.city': null }, true],
    ['dotted path does not index arrays', { a: [{ b: 1 }] }, { 'a.0.b': 1 }, false],
    ['_id', { _id: 'x1' }, { _id: 'x1' }, true],
    [
      '__proto__ key is an ordinary field',
      JSON.parse('{"__proto__": 1}'),
      JSON.parse('{"__proto__": 1}'),
      true,
    ],
  ]);
});

describe('$ne', () => {
  table([
    ['different value', { n: 6 }, { n: { $ne: 5 } }, true],
    ['same value', { n: 5 }, { n: { $ne: 5 } }, false],
    ['missing field is not equal', {}, { n: { $ne: 5 } }, true],
    ['null is not equal to 5', { n: null }, { n: { $ne: 5 } }, true],
    ['different type', { n: '5' }, { n: { $ne: 5 } }, true],
    ['$ne null: missing is empty', {}, { n: { $ne: null } }, false],
    ['$ne null: null is empty', { n: null }, { n: { $ne: null } }, false],
    ['$ne null: 0 is a value', { n: 0 }, { n: { $ne: null } }, true],
    ['$ne object value', { o: { a: 1 } }, { o: { $ne: { a: 1 } } }, false],
    ['$ne {$date}', { d: D2 }, { d: { $ne: D1 } }, true],
  ]);
});

describe('$gt / $gte / $lt / $lte', () => {
  table([
    ['$gt number above', { n: 6 }, { n: { $gt: 5 } }, true],
    ['$gt number equal', { n: 5 }, { n: { $gt: 5 } }, false],
    ['$gte number equal', { n: 5 }, { n: { $gte: 5 } }, true],
    ['$lt number below', { n: 4.99 }, { n: { $lt: 5 } }, true],
    ['$lte number equal', { n: 5 }, { n: { $lte: 5 } }, true],
    ['$lt negatives', { n: -1.5 }, { n: { $lt: -1 } }, true],
    ['$gt negatives', { n: -1.5 }, { n: { $gt: -1 } }, false],
    ['$gt missing never matches', {}, { n: { $gt: -1e9 } }, false],
    ['$lt null never matches', { n: null }, { n: { $lt: 1e9 } }, false],
    ['$gt number vs string value', { n: '6' }, { n: { $gt: 5 } }, false],
    ['$lt string vs number value', { n: 1 }, { n: { $lt: 'z' } }, false],
    ['$gt array value is not element-wise', { tags: ['b'] }, { tags: { $gt: 'a' } }, false],
    ['$gt strings', { t: 'c' }, { t: { $gt: 'b' } }, true],
    ['$gt strings, longer', { t: 'ba' }, { t: { $gt: 'b' } }, true],
    ['$gt strings, upper case sorts before lower', { t: 'B' }, { t: { $gt: 'a' } }, false],
    ['$lte strings equal', { t: 'b' }, { t: { $lte: 'b' } }, true],
    ['$gte empty string', { t: '' }, { t: { $gte: '' } }, true],
    ['code points: astral > U+FFFF', { t: '\u{1F600}' }, { t: { $gt: '\uFFFF' } }, true],
    ['code points: U+E000 < astral (UTF-16 would say >)', { t: '\uE000' }, { t: { $lt: '\u{1F600}' } }, true],
    ['code points: astral not < U+E000', { t: '\u{1F600}' }, { t: { $lt: '\uE000' } }, false],
    ['code points: é > z', { t: 'é' }, { t: { $gt: 'z' } }, true],
    ['$gt booleans true > false', { b: true }, { b: { $gt: false } }, true],
    ['$gt booleans false', { b: false }, { b: { $gt: false } }, false],
    ['$lt booleans false < true', { b: false }, { b: { $lt: true } }, true],
    ['$gte booleans equal', { b: true }, { b: { $gte: true } }, true],
    ['$gt boolean vs number', { b: 1 }, { b: { $gt: false } }, false],
    ['$gt dates', { d: D2 }, { d: { $gt: D1 } }, true],
    ['$lt dates', { d: D2 }, { d: { $lt: D1 } }, false],
    ['$lte date normalised equal', { d: D1 }, { d: { $lte: { $date: '2020-01-01' } } }, true],
    ['$gte date vs ISO string value', { d: '2021-01-01T00:00:00.000Z' }, { d: { $gte: D1 } }, false],
    ['$gt date vs object with extra key', { d: { $date: D2.$date, x: 1 } }, { d: { $gt: D1 } }, false],
    ['system date field', { _createdDate: D2 }, { _createdDate: { $gte: D2 } }, true],
  ]);
});

describe('$in / $nin', () => {
  table([
    ['$in hit', { n: 2 }, { n: { $in: [1, 2] } }, true],
    ['$in miss', { n: 3 }, { n: { $in: [1, 2] } }, false],
    ['$in type-strict', { n: '2' }, { n: { $in: [1, 2] } }, false],
    ['$in missing', {}, { n: { $in: [1, 2] } }, false],
    ['$in empty list matches nothing', { n: 1 }, { n: { $in: [] } }, false],
    ['$in mixed kinds', { n: 'a' }, { n: { $in: [1, 'a', true] } }, true],
    ['$in boolean', { b: true }, { b: { $in: [true] } }, true],
    ['$in object values compare deeply', { o: { c: 'x' } }, { o: { $in: [{ c: 'x' }] } }, true],
    ['$in {$date}', { d: D1 }, { d: { $in: [D2, { $date: '2020-01-01T00:00:00Z' }] } }, true],
    ['$in on an array field is equality, not element', { tags: ['a'] }, { tags: { $in: ['a'] } }, false],
    ['$in [null] matches a null value', { n: null }, { n: { $in: [null] } }, true],
    ['$in [null] does not match a missing field', {}, { n: { $in: [null] } }, false],
    ['$nin miss', { n: 3 }, { n: { $nin: [1, 2] } }, true],
    ['$nin hit', { n: 1 }, { n: { $nin: [1, 2] } }, false],
    ['$nin missing', {}, { n: { $nin: [1, 2] } }, true],
    ['$nin empty list matches everything', { n: 1 }, { n: { $nin: [] } }, true],
  ]);
});

describe('$hasSome', () => {
  table([
    ['scalar field equal to one', { t: 'a' }, { t: { $hasSome: ['a', 'b'] } }, true],
    ['scalar field equal to none', { t: 'c' }, { t: { $hasSome: ['a', 'b'] } }, false],
    ['scalar field is not a substring match', { t: 'abc' }, { t: { $hasSome: ['a'] } }, false],
    ['array field holds one', { tags: ['y', 'z'] }, { tags: { $hasSome: ['x', 'y'] } }, true],
    ['array field holds none', { tags: ['z'] }, { tags: { $hasSome: ['x', 'y'] } }, false],
    ['empty array field', { tags: [] }, { tags: { $hasSome: ['x'] } }, false],
    ['missing field', {}, { tags: { $hasSome: ['x'] } }, false],
    ['empty list matches nothing (array)', { tags: ['x'] }, { tags: { $hasSome: [] } }, false],
    ['empty list matches nothing (scalar)', { t: 'x' }, { t: { $hasSome: [] } }, false],
    ['type-strict elements', { tags: ['1'] }, { tags: { $hasSome: [1] } }, false],
    ['number elements', { ns: [1, 2] }, { ns: { $hasSome: [2] } }, true],
    ['boolean scalar', { b: false }, { b: { $hasSome: [false] } }, true],
    ['object elements compare deeply', { os: [{ a: 1 }] }, { os: { $hasSome: [{ a: 1 }] } }, true],
    ['{$date} elements', { ds: [D1, D2] }, { ds: { $hasSome: [D2] } }, true],
  ]);
});

describe('$hasAll', () => {
  table([
    ['holds all', { tags: ['b', 'a', 'c'] }, { tags: { $hasAll: ['a', 'b'] } }, true],
    ['holds some', { tags: ['a'] }, { tags: { $hasAll: ['a', 'b'] } }, false],
    ['duplicates in the list', { tags: ['a'] }, { tags: { $hasAll: ['a', 'a'] } }, true],
    ['scalar counts as one-element array', { t: 'a' }, { t: { $hasAll: ['a'] } }, true],
    ['scalar cannot hold two', { t: 'a' }, { t: { $hasAll: ['a', 'b'] } }, false],
    ['empty list matches nothing', { tags: ['a'] }, { tags: { $hasAll: [] } }, false],
    ['missing field', {}, { tags: { $hasAll: ['a'] } }, false],
    ['null field', { tags: null }, { tags: { $hasAll: [null] } }, true],
  ]);
});

describe('$contains / $startsWith / $endsWith (case-insensitive)', () => {
  table([
    ['$contains, other case', { t: 'Hello' }, { t: { $contains: 'LL' } }, true],
    ['$contains, absent', { t: 'He' }, { t: { $contains: 'll' } }, false],
    ['$contains, unicode case', { t: 'CAFÉ' }, { t: { $contains: 'café' } }, true],
    ['$contains on a number value', { t: 11 }, { t: { $contains: '1' } }, false],
    ['$contains on an array value', { t: ['hello'] }, { t: { $contains: 'hello' } }, false],
    ['$contains on a missing field', {}, { t: { $contains: '' } }, false],
    ['$contains empty operand', { t: 'x' }, { t: { $contains: '' } }, true],
    ['$startsWith, other case', { t: 'Hello' }, { t: { $startsWith: 'hE' } }, true],
    ['$startsWith, suffix only', { t: 'Hello' }, { t: { $startsWith: 'lo' } }, false],
    ['$startsWith astral', { t: '\u{1F600}smile' }, { t: { $startsWith: '\u{1F600}S' } }, true],
    ['$endsWith, other case', { t: 'Hello' }, { t: { $endsWith: 'LO' } }, true],
    ['$endsWith, prefix only', { t: 'Hello' }, { t: { $endsWith: 'he' } }, false],
    ['$startsWith on _id', { _id: 'Item-7' }, { _id: { $startsWith: 'item-' } }, true],
    ['dotted path', { o: { city: 'Springfield' } }, { 'o.city': { $endsWith: 'FIELD' } }, true],
  ]);
});

describe('$exists / $isEmpty', () => {
  table([
    ['$exists true on null', { n: null }, { n: { $exists: true } }, true],
    ['$exists true on 0', { n: 0 }, { n: { $exists: true } }, true],
    ['$exists true on missing', {}, { n: { $exists: true } }, false],
    ['$exists false on missing', {}, { n: { $exists: false } }, true],
    ['$exists false on null', { n: null }, { n: { $exists: false } }, false],
    ['$exists dotted, nested null', { a: { b: null } }, { 'a.b': { $exists: true } }, true],
    ['$exists dotted, parent not an object', { a: 'x' }, { 'a.b': { $exists: true } }, false],
    ['$isEmpty true on missing', {}, { n: { $isEmpty: true } }, true],
    ['$isEmpty true on null', { n: null }, { n: { $isEmpty: true } }, true],
    ['$isEmpty true on empty string', { n: '' }, { n: { $isEmpty: true } }, false],
    ['$isEmpty true on empty array', { n: [] }, { n: { $isEmpty: true } }, false],
    ['$isEmpty false on 0', { n: 0 }, { n: { $isEmpty: false } }, true],
    ['$isEmpty false on missing', {}, { n: { $isEmpty: false } }, false],
  ]);
});

describe('$matches (Wix urlized spec) / $urlized', () => {
  table([
    ['literal then space', { t: 'a ' }, { t: { $matches: URL_SPEC } }, true],
    ['literal then dash, upper case', { t: 'A-' }, { t: { $matches: URL_SPEC } }, true],
    ['anyOf outside the set', { t: 'a_' }, { t: { $matches: URL_SPEC } }, false],
    ['anyOf is exactly one character', { t: 'a -' }, { t: { $matches: URL_SPEC } }, false],
    ['anyOf required', { t: 'a' }, { t: { $matches: URL_SPEC } }, false],
    ['anchored at the start', { t: 'ba ' }, { t: { $matches: URL_SPEC } }, false],
    ['slug with space', { t: 'New York' }, { t: { $matches: NEW_YORK } }, true],
    ['slug with dash', { t: 'new-york' }, { t: { $matches: NEW_YORK } }, true],
    ['slug without separator', { t: 'newyork' }, { t: { $matches: NEW_YORK } }, false],
    [
      'ignoreCase false is case-sensitive',
      { t: 'New-York' },
      { t: { $matches: { ...NEW_YORK, ignoreCase: false } } },
      false,
    ],
    [
      'regex metacharacters in literals are literal',
      { t: 'axb' },
      { t: { $matches: { ignoreCase: true, spec: [{ type: 'literal', value: 'a.b' }] } } },
      false,
    ],
    [
      'metacharacter literal matches itself',
      { t: '(a.b)*' },
      { t: { $matches: { ignoreCase: true, spec: [{ type: 'literal', value: '(a.b)*' }] } } },
      true,
    ],
    ['non-string value', { t: 5 }, { t: { $matches: URL_SPEC } }, false],
    ['$urlized spaces', { t: 'New York' }, { t: { $urlized: 'new-york' } }, true],
    ['$urlized runs of spaces and dashes', { t: ' New -  York ' }, { t: { $urlized: 'new-york' } }, true],
    ['$urlized operand is urlized too', { t: 'new-york' }, { t: { $urlized: 'New York' } }, true],
    ['$urlized needs the separator', { t: 'newyork' }, { t: { $urlized: 'new-york' } }, false],
    ['$urlized non-string', { t: 1 }, { t: { $urlized: '1' } }, false],
  ]);
});

describe('$and / $or / $not, several keys, several operators', () => {
  const item = { n: 3, t: 'abc', o: { city: 'Rome' } };
  table([
    ['empty filter', item, {}, true],
    ['null filter', item, null, true],
    ['several keys = AND (both)', item, { n: 3, t: 'abc' }, true],
    ['several keys = AND (one fails)', item, { n: 3, t: 'x' }, false],
    ['several operators on one field (inside)', item, { n: { $gt: 1, $lt: 5 } }, true],
    ['several operators on one field (outside)', item, { n: { $gt: 1, $lt: 3 } }, false],
    ['$and all true', item, { $and: [{ n: 3 }, { t: 'abc' }] }, true],
    ['$and one false', item, { $and: [{ n: 3 }, { t: 'x' }] }, false],
    ['$and empty = everything', item, { $and: [] }, true],
    ['$or one true', item, { $or: [{ n: 4 }, { t: 'abc' }] }, true],
    ['$or none true', item, { $or: [{ n: 4 }, { t: 'x' }] }, false],
    ['$or empty = nothing', item, { $or: [] }, false],
    ['$or with an empty filter = everything', item, { $or: [{ n: 4 }, {}] }, true],
    ['$not object', item, { $not: { n: 3 } }, false],
    ['$not one-element array', item, { $not: [{ n: 4 }] }, true],
    ['$not empty = nothing', item, { $not: {} }, false],
    ['$not of $or empty = everything', item, { $not: { $or: [] } }, true],
    ['field-level $not object', item, { n: { $not: { $gt: 5 } } }, true],
    ['field-level $not array', item, { n: { $not: [{ $in: [3] }] } }, false],
    ['field-level $not on a missing field', item, { z: { $not: { $gt: 5 } } }, true],
    ['field-level $not with other operators', item, { n: { $gte: 3, $not: { $eq: 4 } } }, true],
    ['double negation', item, { $not: { $not: { n: 3 } } }, true],
    [
      'nested combination',
      item,
      { $or: [{ $and: [{ n: { $lt: 3 } }] }, { $not: { 'o.city': 'Paris' } }] },
      true,
    ],
    ['keys next to $and', item, { $and: [{ n: 3 }], t: 'x' }, false],
  ]);
});

describe('parse shapes', () => {
  it.each([
    ['shorthand is $eq', { f: 1 }, { kind: 'cmp', field: 'f', op: '$eq', operand: 1 }],
    [
      '{$date} shorthand is a normalised value',
      { f: { $date: '2020-01-01T00:00:00Z' } },
      { kind: 'cmp', field: 'f', op: '$eq', operand: { $date: '2020-01-01T00:00:00.000Z' } },
    ],
    [
      '{$encrypted} shorthand is a value',
      { f: { $encrypted: { iv: 'x' } } },
      { kind: 'cmp', field: 'f', op: '$eq', operand: { $encrypted: { iv: 'x' } } },
    ],
    [
      'a plain object shorthand is a value',
      { f: { a: { $gt: 1 } } },
      { kind: 'cmp', field: 'f', op: '$eq', operand: { a: { $gt: 1 } } },
    ],
    [
      '$date with other $ keys stays a value',
      { f: { $date: '2020-01-01T00:00:00Z', $gt: 1 } },
      { kind: 'cmp', field: 'f', op: '$eq', operand: { $date: '2020-01-01T00:00:00Z', $gt: 1 } },
    ],
    [
      '$ne is not $eq',
      { f: { $ne: 1 } },
      { kind: 'not', child: { kind: 'cmp', field: 'f', op: '$eq', operand: 1 } },
    ],
    [
      '$nin is not $in',
      { f: { $nin: [1] } },
      { kind: 'not', child: { kind: 'cmp', field: 'f', op: '$in', operand: [1] } },
    ],
    [
      '$urlized operand urlized',
      { f: { $urlized: ' A  b ' } },
      { kind: 'cmp', field: 'f', op: '$urlized', operand: 'a-b' },
    ],
    ['$and of one collapses', { $and: [{ f: 1 }] }, { kind: 'cmp', field: 'f', op: '$eq', operand: 1 }],
    ['$or with {} is everything', { $or: [{ f: 1 }, {}] }, { kind: 'all' }],
    ['$or empty is nothing', { $or: [] }, { kind: 'or', children: [] }],
    ['empty filter', {}, { kind: 'all' }],
    [
      'dotted path kept whole',
      { 'address.city': 'x' },
      { kind: 'cmp', field: 'address.city', op: '$eq', operand: 'x' },
    ],
  ])('%s', (_name, filter, node) => {
    expect(parseFilter(filter)).toEqual(node);
  });
});
