/**
 * Where a collection's record comes from: the adaptor's own metadata, or an existing table attached
 * by configuration (ATTACH_TABLES). Every service resolves a collection here, so an attached table is
 * one more kind of record behind the same operations.
 *
 * An attached record is built from DescribeTable and a bounded sample of items, and cached per process
 * for a short time: a cold function pays two small reads, a warm one none, and a changed table (a new
 * attribute, a new index) shows within a minute.
 */
import { CollectionNotFoundError } from '../errors';
import { errorFields, logger } from '../log';
import { attachedFor, visibleTo, type AttachEntry } from '../model/attach';
import type { CollectionRecord } from '../model/collection';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import { describeTable, sampleItems } from '../store/attached/describe';
import * as store from '../store/collections';
import { attachedRecord } from './attachedRecord';
import { forgetGeneration, rememberGeneration } from './generations';

/** How long a built record is reused. */
export const ATTACHED_RECORD_TTL_MS = 60_000;

interface Cached {
  readonly expires: number;
  readonly record: Promise<CollectionRecord>;
}

/** Per entry (entries are frozen config, shared by every tenant that sees them). */
const cache = new WeakMap<AttachEntry, Cached>();

/** The record of an attached entry, from the cache or built now; a failed build is not cached. */
export function recordOfEntry(deps: Deps, entry: AttachEntry): Promise<CollectionRecord> {
  const now = deps.now();
  const hit = cache.get(entry);
  if (hit && hit.expires > now.getTime()) return hit.record;
  const record = (async () => {
    const [shape, sample] = await Promise.all([
      describeTable(deps.db, entry.table, entry.collectionId),
      sampleItems(deps.db, entry.table),
    ]);
    return attachedRecord(entry, shape, sample, now);
  })();
  cache.set(entry, { expires: now.getTime() + ATTACHED_RECORD_TTL_MS, record });
  record.catch(() => {
    if (cache.get(entry)?.record === record) cache.delete(entry);
  });
  return record;
}

/** The attached entry this tenant sees under `collectionId`, if any. */
export function attachedEntry(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
): AttachEntry | undefined {
  return attachedFor(deps.config.attachTables, ctx.tenant, collectionId);
}

/** A collection's record, attached or our own; COLLECTION_NOT_FOUND when neither exists. */
export async function resolveCollection(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
): Promise<CollectionRecord> {
  const entry = attachedEntry(deps, ctx, collectionId);
  if (entry) return recordOfEntry(deps, entry);
  let record: CollectionRecord;
  try {
    record = (await store.requireCollection(deps.db, ctx.tenant, collectionId)).record;
  } catch (err) {
    if (err instanceof CollectionNotFoundError) forgetGeneration(deps.db, ctx.tenant, collectionId);
    throw err;
  }
  // the hint an `_id` lookup reads under before this record is read again (service/idLookup.ts)
  rememberGeneration(deps.db, ctx.tenant, collectionId, record.generation);
  return record;
}

/** A collection's record, or undefined (lookups by id: unknown ids are left out). */
export async function findCollection(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
): Promise<CollectionRecord | undefined> {
  const entry = attachedEntry(deps, ctx, collectionId);
  if (!entry) return (await store.getCollection(deps.db, ctx.tenant, collectionId, false))?.record;
  try {
    return await recordOfEntry(deps, entry);
  } catch (err) {
    if (err instanceof CollectionNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Every collection the tenant sees: its own, then the attached ones. An attached id hides an own
 * collection of the same id (configuration wins). A table that cannot be described is left out and
 * logged, so one broken entry does not hide every other collection.
 */
export async function allCollections(deps: Deps, ctx: RequestContext): Promise<CollectionRecord[]> {
  const entries = deps.config.attachTables.filter((e) => visibleTo(e, ctx.tenant));
  const [own, attached] = await Promise.all([
    store.listCollections(deps.db, ctx.tenant),
    Promise.all(
      entries.map((e) =>
        recordOfEntry(deps, e).catch((err: unknown) => {
          logger.error('attached table left out of the collection list', {
            requestId: ctx.requestId,
            table: e.table,
            ...errorFields(err),
          });
          return undefined;
        }),
      ),
    ),
  ]);
  const attachedIds = new Set(entries.map((e) => e.collectionId));
  return [
    ...own.map((c) => c.record).filter((r) => !attachedIds.has(r.id)),
    ...attached.filter((r): r is CollectionRecord => r !== undefined),
  ];
}
