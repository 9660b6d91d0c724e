/**
 * Item writes, protocol-neutral. Results are per item and aligned with the input: each slot is exactly
 * one of {item} or {error}; one bad item never fails the others, and no item is ever silently dropped.
 */
import { randomUUID } from 'node:crypto';
import {
  ItemAlreadyExistsError,
  ServiceUnavailableError,
  ValidationError,
  classifyFailure,
  isDomainError,
  type DomainError,
} from '../errors';
import { errorFields, logger } from '../log';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import * as collections from '../store/collections';
import { mapLimitByKey } from '../store/concurrency';
import { toRecord, type WixItem } from '../store/items';
import { DYNAMODB_MAX_ITEM_BYTES, recordBytes } from '../store/itemSize';
import { ValueError, toStorable } from '../store/values';
import { requireCollectionIdString, type CollectionRecord } from './collectionModel';
import { requireSomeItems } from './itemRequests';
import { callerDate } from './callerDates';
import { removeReferencesOfItems } from './references';
import { newGeneration } from './collections';
import { startPurge } from './purge';
import { touchPurgeMarker } from '../store/purge';
import { attachedWriteTarget, type WriteOperation } from './attachedWrites';
import { writerFor, type Writer } from './writers';

export type ItemResult = { item: WixItem } | { error: DomainError };

/** In-flight writes per request: fast, yet gentle on a cold on-demand table. */
const WRITE_CONCURRENCY = 25;
/** Items whose estimated size passes this are refused before the write (AWS would refuse them too). */
const CLEARLY_TOO_LARGE = DYNAMODB_MAX_ITEM_BYTES + 8 * 1024;

/** The per-item error for a failure: domain errors as they are, the rest classified without internals. */
function itemError(err: unknown, log: (err: unknown) => void): DomainError {
  const classified = classifyFailure(err);
  if (isDomainError(classified)) return classified;
  if (err instanceof Error && err.name === 'ValidationException') {
    return new ValidationError('DynamoDB refused this item (an item holds at most 400 KB)', [
      { fieldPath: '', message: 'item cannot be stored' },
    ]);
  }
  log(err);
  return new ServiceUnavailableError('this item could not be written; retry it');
}

/** Checks values and size; returns the storable item or throws a ValidationError. */
function storable(item: WixItem): WixItem {
  let out: WixItem;
  try {
    out = toStorable(item) as WixItem;
  } catch (err) {
    if (err instanceof ValueError) {
      throw new ValidationError(err.message, [{ fieldPath: err.fieldPath, message: err.message }]);
    }
    throw err;
  }
  const size = recordBytes(toRecord('x'.repeat(120), out));
  if (size > CLEARLY_TOO_LARGE) {
    throw new ValidationError(
      `the item is about ${Math.round(size / 1024)} KB; DynamoDB holds at most 400 KB per item`,
      [{ fieldPath: '', rejectedValue: `${size} bytes`, message: 'item larger than 400 KB' }],
    );
  }
  return out;
}

function writeFailureLogger(ctx: RequestContext): (err: unknown) => void {
  return (err) => logger.error('item write failed', { requestId: ctx.requestId, ...errorFields(err) });
}

async function current(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  operation: WriteOperation,
): Promise<{ writer: Writer; record: CollectionRecord }> {
  const record =
    (await attachedWriteTarget(deps, ctx, collectionId, operation)) ??
    (await collections.requireCollection(deps.db, ctx.tenant, collectionId)).record;
  return { writer: writerFor(deps, record, ctx.tenant), record };
}

function dateNow(deps: Deps): { $date: string } {
  return { $date: deps.now().toISOString() };
}

export interface WriteOptions {
  /**
   * Keep `_createdDate`/`_updatedDate` the caller sent (valid dates only), stamping them only when
   * absent: legacy, as Wix's v2 reference adaptor does. V3 always stamps them. @default false
   */
  readonly keepCallerDates?: boolean;
}

/** The caller's date when the protocol keeps it (throws a ValidationError for a non-date), else undefined. */
function kept(item: WixItem, field: '_createdDate' | '_updatedDate', options: WriteOptions) {
  return options.keepCallerDates ? callerDate(item, field) : undefined;
}

export async function insertItems(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  items: WixItem[],
  options: WriteOptions = {},
): Promise<ItemResult[]> {
  const { writer, record } = await current(deps, ctx, collectionId, 'insert');
  requireSomeItems(items);
  const now = dateNow(deps);
  const logFailure = writeFailureLogger(ctx);
  const prepared = items.map((raw) => {
    const item: WixItem = {
      ...raw,
      _id: typeof raw._id === 'string' ? raw._id : randomUUID(),
    };
    if (item._owner === undefined || item._owner === null) {
      if (ctx.identity.id) item._owner = ctx.identity.id;
      else delete item._owner;
    }
    return item;
  });
  const seen = new Set<string>();
  return mapLimitByKey(
    prepared.map((p) => String(p._id)),
    WRITE_CONCURRENCY,
    async (i): Promise<ItemResult> => {
      const item = prepared[i]!;
      const id = String(item._id);
      if (seen.has(id)) return { error: new ItemAlreadyExistsError(id) };
      seen.add(id);
      try {
        const value = storable({
          ...item,
          _createdDate: kept(item, '_createdDate', options) ?? now,
          _updatedDate: kept(item, '_updatedDate', options) ?? now,
        });
        return { item: await writer.insert(value) };
      } catch (err) {
        return { error: itemError(err, logFailure) };
      }
    },
  );
}

export async function updateItems(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  items: WixItem[],
  options: WriteOptions = {},
): Promise<ItemResult[]> {
  const { writer } = await current(deps, ctx, collectionId, 'update');
  requireSomeItems(items);
  const now = dateNow(deps);
  const logFailure = writeFailureLogger(ctx);
  return mapLimitByKey(
    items.map((it) => String(it._id)),
    WRITE_CONCURRENCY,
    async (i): Promise<ItemResult> => {
      try {
        const item = items[i]!;
        // Without a caller's _createdDate the stored one stays (one write, no read).
        const createdDate = kept(item, '_createdDate', options);
        const updatedDate = kept(item, '_updatedDate', options) ?? now;
        const value = storable({ ...item, _updatedDate: updatedDate });
        return { item: await writer.replace(value, updatedDate, createdDate) };
      } catch (err) {
        return { error: itemError(err, logFailure) };
      }
    },
  );
}

export async function removeItems(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  itemIds: string[],
): Promise<ItemResult[]> {
  const { writer, record } = await current(deps, ctx, collectionId, 'remove');
  const logFailure = writeFailureLogger(ctx);
  const results = await mapLimitByKey(itemIds, WRITE_CONCURRENCY, async (i): Promise<ItemResult> => {
    try {
      return { item: await writer.remove(itemIds[i]!) };
    } catch (err) {
      return { error: itemError(err, logFailure) };
    }
  });
  const removed = results.flatMap((r) => ('item' in r ? [String(r.item._id)] : []));
  // Attached tables hold no references (no MULTI_REFERENCE field can be declared on them).
  if (record.attached) return results;
  try {
    await removeReferencesOfItems(deps, ctx, record, removed);
  } catch (err) {
    // The items are gone and the answer must say so; references left behind point at nothing,
    // which reads skip (an included item that does not exist is omitted).
    logger.error('could not remove references of removed items', {
      requestId: ctx.requestId,
      ...errorFields(err),
    });
  }
  return results;
}

/**
 * O(1): the collection moves to a new, empty generation; the old one is purged in the background.
 * A read-write attached table has no generation: its items are deleted in the background (a marker
 * lets the sweep finish the job if it dies), so they disappear gradually, never all at once.
 */
export async function truncateItems(
  deps: Deps,
  ctx: RequestContext,
  rawCollectionId: unknown,
): Promise<void> {
  const collectionId = requireCollectionIdString(rawCollectionId);
  const attached = await attachedWriteTarget(deps, ctx, collectionId, 'truncate');
  const now = deps.now();
  if (attached) {
    const job = {
      tenant: ctx.tenant,
      collectionId,
      generation: newGeneration(now),
      table: attached.attached!.table,
    };
    await touchPurgeMarker(deps.db, job, now);
    await startPurge(deps, ctx, job);
    return;
  }
  const job = await collections.retireGeneration(deps.db, ctx.tenant, collectionId, newGeneration(now), now);
  await startPurge(deps, ctx, job);
}
