/** The Limit rule of page-filling reads (store/pageLimit.ts). */
import { nextPageLimit, PRIOR_SELECTIVITY, SAFETY_MARGIN } from '../../lambda/store/pageLimit';

const base = { everyReadMatches: false, maxLimit: 10_000 };

describe('nextPageLimit', () => {
  it.each([
    // [case, wanted, matched, read, expected Limit]
    ['first page: remaining / prior', 51, 0, 0, Math.ceil(51 / PRIOR_SELECTIVITY)],
    ['half matched so far', 51, 31, 63, Math.ceil((20 / (32 / 64)) * SAFETY_MARGIN)],
    ['a tenth matched so far', 51, 6, 64, Math.ceil((45 / (7 / 65)) * SAFETY_MARGIN)],
    ['nothing matched yet: one match more than seen', 21, 0, 27, Math.ceil(21 * 28 * SAFETY_MARGIN)],
    [
      'everything matched so far: what is still wanted plus the margin',
      51,
      40,
      40,
      Math.ceil(11 * SAFETY_MARGIN),
    ],
    [
      'the page is full (reading on to a tie): at least one',
      51,
      51,
      80,
      Math.ceil((1 / (52 / 81)) * SAFETY_MARGIN),
    ],
    ['capped at the largest Limit', 51, 0, 5_000, 10_000],
  ])('%s', (_case, wanted, matched, read, expected) => {
    expect(nextPageLimit({ ...base, wanted, matched, read })).toBe(expected);
  });

  it.each([
    [0, 0, 51],
    [30, 30, 21],
    [51, 51, 1],
  ])(
    'reads exactly what is still wanted when every item read matches (%i read)',
    (read, matched, expected) => {
      expect(nextPageLimit({ ...base, everyReadMatches: true, wanted: 51, matched, read })).toBe(expected);
    },
  );

  it('keeps a first page within 1.3 times the need even when the filter keeps every item', () => {
    const first = nextPageLimit({ ...base, wanted: 51, matched: 0, read: 0 });
    expect(first).toBeLessThanOrEqual(1.3 * 51);
  });

  it('follows a measured selectivity: the pages of a 1 % filter read about need / 1 %', () => {
    // simulate evenly spread matches at 1 %: the reads end within the margin of need / selectivity
    const wanted = 21;
    let read = 0;
    let matched = 0;
    let pages = 0;
    while (matched < wanted) {
      read += nextPageLimit({ ...base, wanted, matched, read });
      matched = Math.floor(read / 100);
      pages += 1;
    }
    expect(read).toBeLessThanOrEqual(1.3 * wanted * 100);
    expect(pages).toBeLessThanOrEqual(4);
  });
});
