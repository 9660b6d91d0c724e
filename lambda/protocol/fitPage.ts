/**
 * Cursor pages under Lambda's response limit. A cursor page may come back shorter than its limit
 * (Wix follows `cursors.next`, not `offset + limit`), so a page whose answer would be over
 * MAX_RESPONSE_BYTES is cut after the last item that fits, with a cursor that continues right
 * after it. The size is only known here: after projection, included references and serialisation.
 * Offset pages are not cut (docs/errors.md): the edge's check answers RESPONSE_TOO_LARGE for them.
 */
import { ResponseTooLargeError } from '../errors';
import { json, MAX_RESPONSE_BYTES } from './http';

/** Bytes `text` takes once Lambda serialises the response (the body is an escaped JSON string). */
function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/** Bytes of the whole response Lambda would return for `payload`. */
export function answerBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify(json(200, payload)), 'utf8');
}

export interface CursorPage<T> {
  readonly items: T[];
  readonly next: string | null;
}

/**
 * The longest prefix of `items` whose answer fits, with its next cursor. `answer(items, next)`
 * builds the payload exactly as it will be sent; `cursorAfter(i)` continues after `items[i]`.
 * Each item's share of the answer is measured once (its JSON, escaped, plus a comma); the envelope
 * and the cursor are measured as built, and the chosen cut is checked on the real answer.
 */
export function fitCursorPage<T>(
  items: T[],
  next: string | null,
  cursorAfter: (index: number) => string,
  answer: (items: T[], next: string | null) => unknown,
): CursorPage<T> {
  if (answerBytes(answer(items, next)) <= MAX_RESPONSE_BYTES) return { items, next };
  // `count` and similar metadata may grow by a few digits between the empty answer and the real one.
  const envelope = answerBytes(answer([], '')) + 32;
  const shares: number[] = [];
  let used = envelope;
  for (const item of items) {
    const share = escapedBytes(JSON.stringify(item)) + 1;
    if (used + share > MAX_RESPONSE_BYTES) break;
    shares.push(share);
    used += share;
  }
  // The cursor's own size depends on where the page is cut (the last item's sort values).
  for (let kept = shares.length; kept > 0; kept--) {
    const cursor = cursorAfter(kept - 1);
    if (used + escapedBytes(cursor) <= MAX_RESPONSE_BYTES) {
      const cut = items.slice(0, kept);
      // the backstop of this estimate; the edge checks the final answer once more
      if (answerBytes(answer(cut, cursor)) <= MAX_RESPONSE_BYTES) return { items: cut, next: cursor };
    }
    used -= shares[kept - 1]!;
  }
  // Not even one item fits (an item with large included references): nothing shorter to send.
  throw new ResponseTooLargeError(answerBytes(answer(items.slice(0, 1), next)), MAX_RESPONSE_BYTES);
}
