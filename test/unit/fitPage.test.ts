/** Cutting a cursor page to Lambda's response limit (protocol/fitPage.ts). */
import { ResponseTooLargeError } from '../../lambda/errors';
import { answerBytes, fitCursorPage } from '../../lambda/protocol/fitPage';
import { MAX_RESPONSE_BYTES } from '../../lambda/protocol/http';

type Item = { _id: string; text: string };
const answer = (items: Item[], next: string | null) => ({
  items,
  pagingMetadata: { count: items.length, cursors: { next, prev: null } },
});
const cursorAfter = (i: number) => `cursor-after-${i}-${'c'.repeat(i * 7)}`;
const make = (n: number, text: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => ({ _id: `i${i}`, text: text(i) }));

describe('fitCursorPage', () => {
  it.each([
    ['20 items of 330 KB', make(20, () => 'x'.repeat(330_000))],
    ['quotes, which Lambda escapes twice', make(10, () => '"'.repeat(400_000))],
    ['mixed sizes and non-ASCII', make(60, (i) => (i % 2 ? 'é' : '\n').repeat(20_000 + i * 3_000))],
    ['many small items', make(1000, (i) => `${i}`.repeat(3_000))],
  ])('keeps the longest prefix that fits, with the cursor after its last item: %s', (_name, items) => {
    expect(answerBytes(answer(items, null))).toBeGreaterThan(MAX_RESPONSE_BYTES);
    const page = fitCursorPage(items, null, cursorAfter, answer);
    const k = page.items.length;
    expect(k).toBeGreaterThan(0);
    expect(page.items).toEqual(items.slice(0, k));
    expect(page.next).toBe(cursorAfter(k - 1));
    expect(answerBytes(answer(page.items, page.next))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    // one item more would not have fitted
    expect(answerBytes(answer(items.slice(0, k + 1), cursorAfter(k)))).toBeGreaterThan(MAX_RESPONSE_BYTES);
  });

  it('leaves a page that fits as it is, with its own next cursor (or none)', () => {
    const items = make(18, () => 'x'.repeat(330_000));
    expect(fitCursorPage(items, 'given', cursorAfter, answer)).toEqual({ items, next: 'given' });
    expect(fitCursorPage(items, null, cursorAfter, answer)).toEqual({ items, next: null });
  });

  it('refuses with RESPONSE_TOO_LARGE when not even one item fits', () => {
    const items = make(2, () => 'x'.repeat(MAX_RESPONSE_BYTES));
    expect(() => fitCursorPage(items, null, cursorAfter, answer)).toThrow(ResponseTooLargeError);
  });
});
