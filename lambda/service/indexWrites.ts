/**
 * Keeping index entries right on item writes. Insert puts the slot keys in the item's own write;
 * update sets them (and removes those of slots no index holds) in its one UpdateItem. Both cover
 * BUILDING indexes too, so writes made while a backfill runs are indexed like any other.
 *
 * `_owner` and `_createdDate` are kept by an update without being sent, so an index over them needs
 * their stored values: then the update reads the item first and writes only if `_createdDate` is
 * still the one read (both are set once, at insert), re-reading if the item was replaced meanwhile.
 */
import { ItemNotFoundError } from '../errors';
import type { CollectionRecord, IndexRecord } from '../model/collection';
import type { Deps } from '../model/deps';
import { freeSlotAttributes, indexAttributes, type IndexScope } from '../store/indexKeys';
import { getItem, replaceItem, type IndexUpdate, type WixItem } from '../store/items';

/** Indexes whose entries writes maintain: those that serve, or will serve, queries. */
export function maintainedIndexes(record: CollectionRecord): IndexRecord[] {
  return (record.indexes ?? []).filter((i) => i.status === 'BUILDING' || i.status === 'ACTIVE');
}

function scopeOf(tenant: string, record: CollectionRecord): IndexScope {
  return { tenant, collectionId: record.id, generation: record.generation };
}

/** The slot keys a new item (system fields included) carries. */
export function insertIndexKeys(
  tenant: string,
  record: CollectionRecord,
  item: WixItem,
): Record<string, string> {
  return indexAttributes(scopeOf(tenant, record), maintainedIndexes(record), item);
}

const KEPT_BY_UPDATE = new Set(['_owner', '_createdDate']);

function needsStoredSystemFields(indexes: readonly IndexRecord[]): boolean {
  return indexes.some((i) => i.fields.some((f) => KEPT_BY_UPDATE.has(f.path.split('.')[0]!)));
}

/** A replaced item can be read and replaced again this often before the update gives up. */
const MAX_REREADS = 3;

/** Replaces an item's user fields, keeping its index entries right. */
export async function replaceIndexedItem(
  deps: Deps,
  tenant: string,
  record: CollectionRecord,
  pk: string,
  item: WixItem,
  now: { $date: string },
  createdDate?: { $date: string },
): Promise<WixItem> {
  const indexes = maintainedIndexes(record);
  // A collection that never had an index has no slot attributes to clear.
  const remove = record.indexes === undefined ? [] : freeSlotAttributes(indexes);
  const scope = scopeOf(tenant, record);
  if (!needsStoredSystemFields(indexes)) {
    const update: IndexUpdate = { set: indexAttributes(scope, indexes, item), remove };
    return replaceItem(deps.db, pk, item, now, update, createdDate);
  }
  for (let attempt = 1; ; attempt++) {
    const stored = await getItem(deps.db, pk, String(item._id), true);
    if (!stored) throw new ItemNotFoundError(String(item._id));
    const full: WixItem = {
      ...item,
      _owner: stored._owner,
      _createdDate: createdDate ?? stored._createdDate,
    };
    if (full._owner === undefined) delete full._owner;
    const update: IndexUpdate = {
      set: indexAttributes(scope, indexes, full),
      remove,
      createdDate: stored._createdDate,
    };
    try {
      return await replaceItem(deps.db, pk, item, now, update, createdDate);
    } catch (err) {
      if (!(err instanceof ItemNotFoundError) || attempt >= MAX_REREADS) throw err;
    }
  }
}
