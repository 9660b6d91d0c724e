/** Item reads by key that count against the request's budget like every Query page does. */
import type { Deps } from '../model/deps';
import type { RequestContext } from '../model/context';
import { getItems, type WixItem } from '../store/items';

/**
 * GetItem/BatchGetItem of `ids` (deduplicated): refused before any I/O once the request has read
 * or worked all it may (400 QUERY_TOO_EXPENSIVE, 503 past the hard deadline), charged afterwards.
 */
export async function getItemsCharged(
  deps: Deps,
  ctx: RequestContext,
  pk: string,
  ids: readonly string[],
  consistent: boolean,
): Promise<Map<string, WixItem>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  ctx.budget.check();
  const found = await getItems(deps.db, pk, unique, consistent);
  ctx.budget.chargeRead(unique.length);
  return found;
}
