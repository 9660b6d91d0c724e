/**
 * Per-item service results -> legacy answers. The legacy protocol has no per-item error slot, so a
 * single-item call fails with its item's error, and a bulk call fails with the first failing item's
 * error (its status, and a message saying how many of the others went through), never silently
 * dropping one (DESIGN.md §7).
 */
import { DomainError, ItemNotFoundError, type ErrorData } from '../../errors';
import type { ItemResult } from '../../service/items';

type WixItem = Extract<ItemResult, { item: unknown }>['item'];

/** The first failed item of a bulk call, with the status and code of its own error. */
export class BulkItemError extends DomainError {
  readonly code: string;
  readonly status: number;
  override readonly name = 'BulkItemError';

  constructor(index: number, cause: DomainError, done: number, total: number, verb: string) {
    super(`items[${index}]: ${cause.message} (${done} of ${total} items were ${verb})`, {
      index,
      ...(cause.data ?? ({} as ErrorData)),
    });
    this.code = cause.code;
    this.status = cause.status;
  }
}

/** The one item of a single-item call, or its error. */
export function single(results: readonly ItemResult[]): WixItem {
  const r = results[0]!;
  if ('error' in r) throw r.error;
  return r.item;
}

/** Every item of a bulk call, in order; `skipNotFound` treats a missing id as already gone (remove). */
export function bulk(results: readonly ItemResult[], verb: string, skipNotFound = false): WixItem[] {
  const ok = (r: ItemResult) => !('error' in r) || (skipNotFound && r.error instanceof ItemNotFoundError);
  const index = results.findIndex((r) => !ok(r));
  if (index >= 0) {
    const done = results.filter((r) => !('error' in r)).length;
    throw new BulkItemError(
      index,
      (results[index] as { error: DomainError }).error,
      done,
      results.length,
      verb,
    );
  }
  return results.flatMap((r) => ('error' in r ? [] : [r.item]));
}
