/**
 * The seam between the write services and a collection's storage (the write side of readers.ts):
 * our own collections write into the shared table's partition, a read-write attached table into
 * itself with its attributes at the top level. Read-only attached tables never get a writer
 * (service/attachedWrites.ts refuses first).
 */
import type { CollectionRecord } from '../model/collection';
import { deleteAttached, putNewAttached, replaceAttached } from '../store/attached/write';
import type { Deps } from '../model/deps';
import { deleteItem, fromRecord, putNewItem, toRecord, type WixItem } from '../store/items';
import { itemsPk } from '../store/keys';
import { insertIndexKeys, replaceIndexedItem } from './indexWrites';
import { uniqueWriter } from './uniqueWrites';

export interface Writer {
  /** Writes a new item (ITEM_ALREADY_EXISTS when its `_id` is taken); returns it as stored. */
  insert(item: WixItem): Promise<WixItem>;
  /** Replaces an existing item's values and stamps `_updatedDate`; returns it as stored. */
  /** `createdDate`: a caller's `_createdDate` to write (legacy keeps valid ones); else the stored one stays. */
  replace(item: WixItem, updatedDate: { $date: string }, createdDate?: { $date: string }): Promise<WixItem>;
  /** Deletes an item and returns it as it was (ITEM_NOT_FOUND when absent). */
  remove(id: string): Promise<WixItem>;
}

export function writerFor(deps: Deps, record: CollectionRecord, tenant: string): Writer {
  const { db } = deps;
  const layout = record.attached;
  if (layout) {
    return {
      insert: (item) => putNewAttached(db, layout, item),
      replace: (item, updatedDate) => replaceAttached(db, layout, item, updatedDate.$date),
      remove: (id) => deleteAttached(db, layout, id),
    };
  }
  const pk = itemsPk(tenant, record.id, record.generation);
  // With unique indexes, every write is a transaction with its uniqueness records.
  const unique = uniqueWriter(deps, record, tenant, pk);
  if (unique) return unique;
  return {
    // Own collections carry their Wix indexes' keys on the item (service/indexWrites.ts);
    // attached tables have no Wix indexes.
    insert: async (item) => {
      await putNewItem(db, pk, item, insertIndexKeys(tenant, record, item));
      return fromRecord(toRecord(pk, item));
    },
    replace: (item, updatedDate, createdDate) =>
      replaceIndexedItem(deps, tenant, record, pk, item, updatedDate, createdDate),
    remove: (id) => deleteItem(db, pk, id),
  };
}
