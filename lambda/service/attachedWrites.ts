/**
 * Writes to attached tables: Wix's rule for external collections is that a collection is read-write
 * only when it can carry `_id`, `_createdDate`, `_updatedDate` and `_owner`; everything else is
 * read-only, and every write to it is refused with the reason, before anything is written.
 */
import { CollectionReadOnlyError } from '../errors';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import type { CollectionRecord } from '../model/collection';
import { attachedEntry, recordOfEntry } from './sources';

export type WriteOperation = 'insert' | 'update' | 'remove' | 'truncate';

/**
 * The record of the attached collection behind `collectionId` when it may be written, undefined when
 * the collection is not attached (one of our own); throws CollectionReadOnlyError when read-only.
 */
export async function attachedWriteTarget(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  operation: WriteOperation,
): Promise<CollectionRecord | undefined> {
  const entry = attachedEntry(deps, ctx, collectionId);
  if (!entry) return undefined;
  const record = await recordOfEntry(deps, entry);
  const layout = record.attached!;
  if (!layout.writable) throw new CollectionReadOnlyError(collectionId, operation, layout.readOnlyReason!);
  return record;
}
