/**
 * An item's creation token: a random value the store writes once, when the item is created, and that
 * no update changes (updates are UpdateItems that never touch it). Two lives of the same `_id` (an
 * item removed, then inserted again) carry different tokens.
 *
 * References record the tokens of the two items they join (store/references.ts) and count only while
 * both items still carry them. `_createdDate` cannot serve: legacy callers may send their own
 * (service/callerDates.ts), in the past or the future, and comparing times taken on different
 * Lambda instances would also trust their clocks; token equality trusts neither.
 *
 * Items written before tokens existed have none; they read as NO_TOKEN, the same value a reference
 * written before then records, so those references keep counting until either item is created again.
 */
import { randomBytes } from 'node:crypto';

/** The stored attribute (top level, beside the system attributes of store/layout.ts). */
export const CREATION_TOKEN_ATTR = 'ct';

/** What an item without a token (written before tokens existed) reads as. */
export const NO_TOKEN = '';

/**
 * Carries the token on the Wix items the store reads, invisibly: not enumerable, so it is never
 * serialised, compared, spread or projected into an answer.
 */
const TOKEN = Symbol('creationToken');

export function newCreationToken(): string {
  return randomBytes(12).toString('base64url');
}

/** Attaches the token read with a stored item to its Wix form. */
export function attachCreationToken(item: object, stored: unknown): void {
  Object.defineProperty(item, TOKEN, {
    value: typeof stored === 'string' ? stored : NO_TOKEN,
    enumerable: false,
  });
}

/** The token of an item the store read; undefined when the object was not read from the store. */
export function creationTokenOf(item: object): string | undefined {
  const token = (item as Record<symbol, unknown>)[TOKEN];
  return typeof token === 'string' ? token : undefined;
}

/** Keeps the token of `from` on `to` (a projection of it). */
export function keepCreationToken(from: object, to: object): void {
  const token = creationTokenOf(from);
  if (token !== undefined && to !== from) attachCreationToken(to, token);
}
