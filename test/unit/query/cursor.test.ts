/** Issue 10, item 10: a cursor is only issued when it will be accepted back. */
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../../lambda/errors';
import { decodeCursor, encodeCursor, type CursorState } from '../../../lambda/query/cursor';

const SECRET = 'unit-secret';
const state = (last: unknown, filter: unknown = {}): CursorState => ({
  c: 'books',
  g: 'g1',
  f: filter,
  s: [['title', false]],
  l: 50,
  a: [last, 'id-1'],
});
// incompressible text of the given size
const noise = (bytes: number) => randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64');

describe('cursor size', () => {
  it.each([
    ['small sort value', state('Dune')],
    ['40 KB incompressible sort value', state(noise(40_000))],
    ['200 KB compressible filter', state('x', { title: { $in: Array(20_000).fill('aaaaaaaa') } })],
  ])('round-trips a %s', (_name, s) => {
    const token = encodeCursor(s, 'tenant', SECRET);
    expect(decodeCursor(token, 'tenant', SECRET, 'books')).toEqual(s);
  });

  it.each([
    ['100 KB incompressible sort value', state(noise(100_000))],
    ['300 KB compressible filter', state('x', { title: { $in: Array(30_000).fill('aaaaaaaa') } })],
  ])('refuses to issue a cursor it would refuse to read: %s', (_name, s) => {
    expect(() => encodeCursor(s, 'tenant', SECRET)).toThrow(ValidationError);
    expect(() => encodeCursor(s, 'tenant', SECRET)).toThrow(/exceed 64 KB/);
  });
});
