/** Which filters are `_id` lookups read speculatively, and the bounded generation hints. */
import { createDb } from '../../lambda/store/client';
import { loadConfig } from '../../lambda/config';
import {
  forgetGeneration,
  knownGeneration,
  MAX_KNOWN_GENERATIONS,
  rememberGeneration,
} from '../../lambda/service/generations';
import { lookupIds } from '../../lambda/service/idLookup';

describe('lookupIds', () => {
  it.each([
    [{ _id: 'a' }, ['a']],
    [{ _id: { $eq: 'a' } }, ['a']],
    [{ _id: { $in: ['a', 'b'] } }, ['a', 'b']],
    [{ _id: '' }, undefined],
    [{ _id: 5 }, undefined],
    [{ _id: { $in: [] } }, undefined],
    [{ _id: { $in: ['a', 5] } }, undefined],
    [{ _id: { $in: Array.from({ length: 101 }, (_, i) => `i${i}`) } }, undefined],
    [{ _id: { $ne: 'a' } }, undefined],
    [{ _id: { $eq: 'a', $ne: 'b' } }, undefined],
    [{ _id: 'a', v: 1 }, undefined],
    [{ $and: [{ _id: 'a' }] }, undefined],
    [{ v: 'a' }, undefined],
    [null, undefined],
    [undefined, undefined],
    [['a'], undefined],
  ])('%j -> %j', (filter, ids) => {
    expect(lookupIds(filter)).toEqual(ids);
  });
});

describe('generation hints', () => {
  const db = () => createDb(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' }));

  it('are per process (per client) and forgotten on demand', () => {
    const one = db();
    const two = db();
    rememberGeneration(one, 't', 'c', 'g1');
    expect(knownGeneration(one, 't', 'c')).toBe('g1');
    expect(knownGeneration(two, 't', 'c')).toBeUndefined();
    expect(knownGeneration(one, 't', 'other')).toBeUndefined();
    forgetGeneration(one, 't', 'c');
    expect(knownGeneration(one, 't', 'c')).toBeUndefined();
  });

  it('keep at most MAX_KNOWN_GENERATIONS, dropping the least recently used', () => {
    const one = db();
    for (let i = 0; i < MAX_KNOWN_GENERATIONS; i++) rememberGeneration(one, 't', `c${i}`, 'g');
    rememberGeneration(one, 't', 'c0', 'g'); // used again: now the newest
    rememberGeneration(one, 't', 'extra', 'g');
    expect(knownGeneration(one, 't', 'c0')).toBe('g');
    expect(knownGeneration(one, 't', 'c1')).toBeUndefined();
    expect(knownGeneration(one, 't', 'extra')).toBe('g');
  });
});
