/**
 * Wix indexes (`/v3/indexes/list|create|remove`), protocol-neutral. An index is stored in its
 * collection record with the GSI slot it holds; the record is changed with a write conditional on
 * the version read, so two concurrent creates can never take the same name or the same slot.
 */
import { randomBytes } from 'node:crypto';
import {
  ConflictError,
  IndexAlreadyExistsError,
  IndexNotFoundError,
  ValidationError,
  isDomainError,
} from '../errors';
import type { CollectionRecord, IndexRecord } from '../model/collection';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import * as store from '../store/collections';
import { deleteBuildMarker, putBuildMarker, type IndexBuildJob } from '../store/indexBuild';
import { ID_SUFFIX_FORMAT, INDEX_SLOTS } from '../store/indexKeys';
import { startIndexBuild } from './indexBuild';
import { requireCollectionIdString } from './collectionModel';
import {
  MAX_INDEXES_PER_COLLECTION,
  parseIndexSpec,
  requireIndexName,
  toWireIndex,
  type WireIndex,
} from './indexModel';

/** Conflicting changes are retried: each round has a winner, so ten covers ten concurrent writers. */
const MAX_ATTEMPTS = 10;

export async function listIndexes(
  deps: Deps,
  ctx: RequestContext,
  rawCollectionId: unknown,
): Promise<WireIndex[]> {
  const collectionId = requireCollectionIdString(rawCollectionId);
  const { record } = await store.requireCollection(deps.db, ctx.tenant, collectionId);
  return (record.indexes ?? []).map(toWireIndex);
}

/** Reads the record, applies `change` and writes it back if nobody changed it in between. */
async function changeIndexes<T>(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  change: (record: CollectionRecord) => { indexes: IndexRecord[]; result: T },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.requireCollection(deps.db, ctx.tenant, collectionId);
    const { indexes, result } = change(current.record);
    const record: CollectionRecord = { ...current.record, indexes, updatedAt: deps.now().toISOString() };
    try {
      await store.replaceCollection(deps.db, ctx.tenant, record, current.version);
      return result;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

export async function createIndex(
  deps: Deps,
  ctx: RequestContext,
  rawCollectionId: unknown,
  rawIndex: unknown,
): Promise<WireIndex> {
  const collectionId = requireCollectionIdString(rawCollectionId);
  const spec = parseIndexSpec(rawIndex);
  const token = randomBytes(6).toString('hex');
  const job: IndexBuildJob = { tenant: ctx.tenant, collectionId, token };
  // The marker first: if this request dies after the index is stored, the sweep still builds it;
  // a marker whose index never got stored is dropped by the build that finds no such index.
  await putBuildMarker(deps.db, job, deps.now());
  const created = await changeIndexes(deps, ctx, collectionId, (record) => {
    const existing = record.indexes ?? [];
    if (existing.some((i) => i.name === spec.name))
      throw new IndexAlreadyExistsError(collectionId, spec.name);
    // A FAILED index still holds its slot until it is removed, as in Wix.
    const slot = INDEX_SLOTS.find((s) => !existing.some((i) => i.slot === s));
    if (slot === undefined || existing.length >= MAX_INDEXES_PER_COLLECTION) {
      throw new ValidationError(
        `Collection ${collectionId} already has ${existing.length} indexes, the most it can hold; remove one first`,
        [{ fieldPath: 'index', message: `at most ${MAX_INDEXES_PER_COLLECTION} indexes per collection` }],
      );
    }
    const index: IndexRecord = {
      ...spec,
      status: 'BUILDING',
      slot,
      token,
      keyFormat: ID_SUFFIX_FORMAT,
      createdAt: deps.now().toISOString(),
    };
    return { indexes: [...existing, index], result: toWireIndex(index) };
  }).catch(async (err: unknown) => {
    // Refused (taken name, no slot, conflict): nothing was stored. Anything else may have been
    // stored, so its marker stays for the sweep to settle.
    if (isDomainError(err) && err.status < 500) await deleteBuildMarker(deps.db, job);
    throw err;
  });
  await startIndexBuild(deps, ctx.requestId, job);
  return created;
}

/**
 * Removes an index at once and frees its slot; what it left on items (slot keys, uniqueness
 * records) is cleared by a background job (service/indexClear.ts). Those leftovers are harmless
 * meanwhile: a later index on the same slot has a fresh token in its keys and claims.
 */
export async function removeIndex(
  deps: Deps,
  ctx: RequestContext,
  rawCollectionId: unknown,
  rawIndexName: unknown,
): Promise<void> {
  const collectionId = requireCollectionIdString(rawCollectionId);
  const name = requireIndexName(rawIndexName);
  const { record } = await store.requireCollection(deps.db, ctx.tenant, collectionId);
  const target = (record.indexes ?? []).find((i) => i.name === name);
  if (!target) throw new IndexNotFoundError(collectionId, name);
  const job: IndexBuildJob = {
    tenant: ctx.tenant,
    collectionId,
    token: target.token,
    clear: { slot: target.slot, removedAt: deps.now().toISOString() },
  };
  // The marker first, as for a create: if this request dies after the removal, the sweep clears.
  await putBuildMarker(deps.db, job, deps.now());
  await changeIndexes(deps, ctx, collectionId, (current) => {
    const existing = current.indexes ?? [];
    // the same index (a removed and re-created one of the same name has another token)
    if (!existing.some((i) => i.token === target.token)) throw new IndexNotFoundError(collectionId, name);
    return { indexes: existing.filter((i) => i.token !== target.token), result: undefined };
  });
  // A refused removal leaves its marker: the clear drops it on finding the index still there (and
  // a concurrent removal of the same index shares it, so deleting it here could lose theirs).
  await startIndexBuild(deps, ctx.requestId, job);
}
