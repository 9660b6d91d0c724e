/**
 * Opaque, self-contained, signed cursors. Wix sends only the cursor on follow-up pages, so it carries
 * the query itself (filter as sent, sort, fields, limit) and the position. It is bound to tenant,
 * collection and generation: the HMAC covers the tenant (which is not in the token), so a cursor used
 * by another tenant, edited, or minted for another collection is refused with a 400.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ValidationError } from '../errors';

export interface CursorState {
  /** collection id */
  c: string;
  /** generation the position refers to (a truncate invalidates it) */
  g: string;
  /** the filter exactly as the first request sent it */
  f: unknown;
  /** sort: [field, desc] pairs */
  s: [string, boolean][];
  /** projection */
  p?: string[];
  /** page size */
  l: number;
  /** position: sort values of the last row returned, then its _id */
  a: unknown[];
  /** answer with the total */
  t?: boolean;
}

const MAX_CURSOR_CHARS = 64 * 1024;
const MAC_BYTES = 18;

function mac(secret: string, tenant: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`v1\n${tenant}\n${body}`).digest().subarray(0, MAC_BYTES);
}

/** Offset-based continuation for aggregate / distinct results: the request itself and where the next page starts. */
export interface OffsetCursorState {
  /** collection id */
  c: string;
  /** generation */
  g: string;
  /** which operation issued it */
  k: 'aggregate' | 'distinct' | 'referenced';
  /** the request, without its paging */
  r: unknown;
  /** offset of the next page and its size */
  o: number;
  l: number;
}

/** Most bytes of cursor JSON a decode will inflate (a bound on decompression bombs). */
const MAX_STATE_BYTES = 4 * MAX_CURSOR_CHARS;

/**
 * Never issues a cursor that decodeCursor would refuse: when the state (the filter as sent, or the
 * sort values of the last row, e.g. a sort on a 100 KB text field) does not fit in the limits a
 * cursor is read back with, the request is refused now with a 400 that says what to change, rather
 * than answered with a next-page cursor that fails on the following request.
 */
export function encodeCursor(state: CursorState | OffsetCursorState, tenant: string, secret: string): string {
  const json = Buffer.from(JSON.stringify(state));
  const body = json.length > MAX_STATE_BYTES ? undefined : deflateRawSync(json).toString('base64url');
  const token = body === undefined ? undefined : `${body}.${mac(secret, tenant, body).toString('base64url')}`;
  if (token === undefined || token.length > MAX_CURSOR_CHARS) {
    const reason = `the next-page cursor would exceed ${MAX_CURSOR_CHARS / 1024} KB (a large filter, or large sort values in the last row); use offset paging, a smaller filter or another sort field`;
    throw new ValidationError(reason, [{ fieldPath: 'cursorPaging', message: reason }]);
  }
  return token;
}

function invalid(reason: string): never {
  throw new ValidationError(`invalid cursor: ${reason}`, [
    { fieldPath: 'cursorPaging.cursor', message: reason },
  ]);
}

export function decodeCursor(
  token: unknown,
  tenant: string,
  secret: string,
  collectionId: string,
): CursorState {
  const state = decodeAny(token, tenant, secret, collectionId);
  if ((state as { k?: unknown }).k !== undefined) invalid('issued for another operation');
  return state as CursorState;
}

export function decodeOffsetCursor(
  token: unknown,
  tenant: string,
  secret: string,
  collectionId: string,
  kind: OffsetCursorState['k'],
): OffsetCursorState {
  const state = decodeAny(token, tenant, secret, collectionId) as unknown as OffsetCursorState;
  if (state.k !== kind || typeof state.o !== 'number' || typeof state.l !== 'number')
    invalid('issued for another operation');
  return state;
}

function decodeAny(token: unknown, tenant: string, secret: string, collectionId: string): { c: string } {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_CURSOR_CHARS)
    invalid('not a cursor of this adaptor');
  const [body, sig, extra] = token.split('.');
  if (
    !body ||
    !sig ||
    extra !== undefined ||
    !/^[A-Za-z0-9_-]+$/.test(body) ||
    !/^[A-Za-z0-9_-]+$/.test(sig)
  ) {
    invalid('not a cursor of this adaptor');
  }
  const expected = mac(secret, tenant, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    invalid('signature mismatch (tampered, or not issued to this site)');
  let state: { c: string };
  try {
    state = JSON.parse(
      inflateRawSync(Buffer.from(body, 'base64url'), { maxOutputLength: 4 * MAX_CURSOR_CHARS }).toString(
        'utf8',
      ),
    ) as { c: string };
  } catch {
    invalid('unreadable');
  }
  if (state.c !== collectionId) invalid('issued for another collection');
  return state;
}

/** Which operation issued a cursor, read without verifying it (only to route it; it is verified after). */
export function peekCursorKind(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.length > MAX_CURSOR_CHARS) return undefined;
  try {
    const body = token.split('.')[0] ?? '';
    const state = JSON.parse(
      inflateRawSync(Buffer.from(body, 'base64url'), { maxOutputLength: 4 * MAX_CURSOR_CHARS }).toString(
        'utf8',
      ),
    ) as { k?: unknown };
    return typeof state.k === 'string' ? state.k : 'query';
  } catch {
    return undefined;
  }
}
