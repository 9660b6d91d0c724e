/**
 * Item writes to a collection with unique indexes (BUILDING or ACTIVE): each write is one
 * transaction with the uniqueness records it takes and releases (store/uniqueness.ts), so a value
 * is refused per item, race-free. Collections without unique indexes never come here: their writes
 * stay the single PutItem / UpdateItem / DeleteItem of service/writers.ts.
 *
 * Update and remove read the item first (consistently) to learn the claims it holds, then write on
 * the condition that it still holds them; an item changed in between is read again.
 */
import { ConflictError, ItemNotFoundError } from '../errors';
import type { CollectionRecord, IndexRecord } from '../model/collection';
import type { Deps } from '../model/deps';
import { toAttrMap } from '../store/codec';
import { CREATION_TOKEN_ATTR, newCreationToken } from '../store/creationToken';
import { freeSlotAttributes, indexAttributes } from '../store/indexKeys';
import { fromRecord, replaceItemUpdate, toRecord, type WixItem } from '../store/items';
import {
  claimAttr,
  claimsOf,
  deleteClaimedItem,
  getClaimedItem,
  putClaimedItem,
  uniquenessPk,
  updateClaimedItem,
  type Claim,
} from '../store/uniqueness';
import { maintainedIndexes } from './indexWrites';
import type { Writer } from './writers';

/** An item changed by others between our read and our write this often before we give up. */
const MAX_REREADS = 5;

function changedMeanwhile(id: string): ConflictError {
  return new ConflictError(`item ${id} kept changing while this write ran; retry it`, { itemId: id });
}

/** The unique indexes writes must enforce: those that serve, or will serve, queries. */
export function enforcedUniqueIndexes(record: CollectionRecord): IndexRecord[] {
  return maintainedIndexes(record).filter((i) => i.unique);
}

/** The writer of a collection with unique indexes; undefined when it has none. */
export function uniqueWriter(
  deps: Deps,
  record: CollectionRecord,
  tenant: string,
  pk: string,
): Writer | undefined {
  const unique = enforcedUniqueIndexes(record);
  if (unique.length === 0) return undefined;
  const { db } = deps;
  const indexes = maintainedIndexes(record);
  const scope = { tenant, collectionId: record.id, generation: record.generation };
  const uPk = uniquenessPk(tenant, record.id, record.generation);
  const uniqueAttrs = unique.map((i) => claimAttr(i.slot));

  const insert = async (item: WixItem): Promise<WixItem> => {
    const claims = claimsOf(unique, item);
    const stored = {
      ...toRecord(pk, item),
      ...indexAttributes(scope, indexes, item),
      ...Object.fromEntries(claims.map((c) => [c.attr, c.sk])),
      // this life of the `_id`, as store/items.ts putNewItem stamps it (references check it)
      [CREATION_TOKEN_ATTR]: newCreationToken(),
    };
    await putClaimedItem(db, uPk, String(item._id), toAttrMap(stored), claims);
    return fromRecord(toRecord(pk, item));
  };

  const replace = async (
    item: WixItem,
    updatedDate: { $date: string },
    createdDate?: { $date: string },
  ): Promise<WixItem> => {
    const id = String(item._id);
    for (let attempt = 1; ; attempt++) {
      const stored = await getClaimedItem(db, pk, id);
      if (!stored) throw new ItemNotFoundError(id);
      // the values the item will hold, system fields included (an index may cover them)
      const full: WixItem = {
        ...item,
        _owner: stored.item._owner,
        _createdDate: createdDate ?? stored.item._createdDate,
      };
      if (full._owner === undefined) delete full._owner;
      const claims = claimsOf(unique, full);
      const claimed = new Map(claims.map((c) => [c.attr, c]));
      const add: Claim[] = claims.filter((c) => stored.held[c.attr] !== c.sk);
      // every claim the item holds and will not hold any more, a removed index's included
      const drop = Object.entries(stored.held)
        .filter(([attr, sk]) => claimed.get(attr)?.sk !== sk)
        .map(([, sk]) => sk);
      const released = Object.keys(stored.held).filter((attr) => !claimed.has(attr));
      const expect: Record<string, string | null> = {};
      for (const attr of new Set([...uniqueAttrs, ...Object.keys(stored.held)]))
        expect[attr] = stored.held[attr] ?? null;
      const update = replaceItemUpdate(
        pk,
        item,
        updatedDate,
        {
          set: {
            ...indexAttributes(scope, indexes, full),
            ...Object.fromEntries(claims.map((c) => [c.attr, c.sk])),
          },
          remove: [...freeSlotAttributes(indexes), ...released],
          createdDate: stored.item._createdDate,
          expect,
        },
        createdDate,
      );
      const outcome = await updateClaimedItem(db, uPk, id, update, { add, drop });
      if (outcome === 'done') return fromRecord(toRecord(pk, { ...full, _updatedDate: updatedDate }));
      if (attempt >= MAX_REREADS) throw changedMeanwhile(id);
    }
  };

  const remove = async (id: string): Promise<WixItem> => {
    for (let attempt = 1; ; attempt++) {
      const stored = await getClaimedItem(db, pk, id);
      if (!stored) throw new ItemNotFoundError(id);
      const expect: Record<string, string | null> = {};
      for (const attr of new Set([...uniqueAttrs, ...Object.keys(stored.held)]))
        expect[attr] = stored.held[attr] ?? null;
      const outcome = await deleteClaimedItem(db, pk, uPk, id, expect, Object.values(stored.held));
      if (outcome === 'done') return stored.item;
      if (attempt >= MAX_REREADS) throw changedMeanwhile(id);
    }
  };

  return { insert, replace, remove };
}
