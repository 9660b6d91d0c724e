/** How large each page of an index read is (store/indexQuery.ts nextLimit). */
import { nextLimit } from '../../lambda/store/indexQuery';

const seen = (pages: number, scanned: number, matched: number, lastLimit: number) => ({
  pages,
  scanned,
  matched,
  lastLimit,
});

describe('the Limit of an index page', () => {
  it.each([
    ['every match is wanted: pages as large as allowed', undefined, seen(0, 0, 0, 0), 1000],
    ['the first page: the page and one look-ahead', 51, seen(0, 0, 0, 0), 52],
    ['the first page is capped', 5000, seen(0, 0, 0, 0), 1000],
    ['nothing matched yet: four times the last', 51, seen(1, 52, 0, 52), 208],
    ['nothing matched, capped', 51, seen(3, 1500, 0, 800), 1000],
    ['one in ten matched: the missing 47 at that rate, a fifth to spare', 51, seen(1, 50, 5, 52), 564],
    ['all matched but more is wanted (a run of equal keys): the minimum', 51, seen(1, 52, 52, 52), 25],
  ])('%s', (_, wanted, s, expected) => {
    expect(nextLimit(wanted, s)).toBe(expected);
  });
});
