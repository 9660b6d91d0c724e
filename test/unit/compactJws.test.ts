/** The compact-JWS shape check that V3 bodies and `/v3/provision` bodies go through first. */
import { isCompactJws } from '../../lambda/protocol/compactJws';

const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

describe('isCompactJws', () => {
  it.each([
    ['a.b.c', true],
    ['a.b.', true],
    ['eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjp7fX0.c2ln-_', true],
    ['', false],
    ['.b.c', false],
    ['a..c', false],
    ['a.b', false],
    ['a.b.c.d', false],
    ['a.b.c ', false],
    [' a.b.c', false],
    ['a.b=.c', false],
    ['a.b+/.c', false],
    ['{"a":1}', false],
    ['a.b.c\n', false],
    ['a.b.é', false],
  ])('%j -> %s', (text, expected) => {
    expect(isCompactJws(text)).toBe(expected);
    expect(SHAPE.test(text)).toBe(expected); // the same language as the expression it replaced
  });

  it('answers for 6 MB bodies, well-formed or broken at the very end', () => {
    const big = 'x'.repeat(6 * 1024 * 1024);
    expect(isCompactJws(`h.${big}.s`)).toBe(true);
    expect(isCompactJws(`h.${big}.s!`)).toBe(false);
    expect(isCompactJws(`h.${big}`)).toBe(false);
    expect(isCompactJws(`${big}.${big}.`)).toBe(true);
  });
});
