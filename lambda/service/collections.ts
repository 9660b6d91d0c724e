/** Collection operations, protocol-neutral. */
import { randomBytes } from 'node:crypto';
import {
  CollectionAlreadyExistsError,
  CollectionChangeNotSupportedError,
  FieldNotFoundError,
  ValidationError,
} from '../errors';
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import * as store from '../store/collections';
import { startPurge } from './purge';
import {
  incompatibleChanges,
  parseCollection,
  requireCollectionIdString,
  SYSTEM_FIELDS,
  toWire,
  type CollectionRecord,
  type FieldDef,
  type WireCollection,
} from './collectionModel';
import { isObject } from '../shape';
import { allCollections, attachedEntry, findCollection } from './sources';

/** Collection changes are refused on an attached table: the adaptor never alters a table it did not create. */
function refuseAttached(deps: Deps, ctx: RequestContext, collectionId: unknown): void {
  if (typeof collectionId !== 'string') return;
  const entry = attachedEntry(deps, ctx, collectionId);
  if (entry) {
    throw new CollectionChangeNotSupportedError([
      {
        fieldKey: '',
        message: `collection ${collectionId} is the existing table ${entry.table} attached by configuration; it cannot be changed or deleted through Wix`,
      },
    ]);
  }
}

/** A fresh, unique generation token: a collection's items live under it until truncate replaces it. */
export function newGeneration(now: Date): string {
  return `${now.getTime().toString(36)}${randomBytes(6).toString('hex')}`;
}

export async function listCollections(
  deps: Deps,
  ctx: RequestContext,
  collectionIds: string[] | undefined,
): Promise<WireCollection[]> {
  if (collectionIds && collectionIds.length > 0) {
    const unique = [...new Set(collectionIds)];
    const found = await Promise.all(unique.map((id) => findCollection(deps, ctx, id)));
    return found.flatMap((c) => (c ? [toWire(c, deps.config.pagingMode)] : []));
  }
  return (await allCollections(deps, ctx)).map((c) => toWire(c, deps.config.pagingMode));
}

export async function createCollection(
  deps: Deps,
  ctx: RequestContext,
  raw: unknown,
): Promise<WireCollection> {
  const { collection, changeErrors } = parseCollection(raw);
  if (attachedEntry(deps, ctx, collection.id)) throw new CollectionAlreadyExistsError(collection.id);
  if (changeErrors.length > 0) throw new CollectionChangeNotSupportedError(changeErrors);
  const now = deps.now();
  const record: CollectionRecord = {
    ...collection,
    pagingMode: deps.config.pagingMode,
    generation: newGeneration(now),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await store.createCollection(deps.db, ctx.tenant, record);
  return toWire(record, deps.config.pagingMode);
}

export async function updateCollection(
  deps: Deps,
  ctx: RequestContext,
  raw: unknown,
): Promise<WireCollection> {
  const { collection, changeErrors } = parseCollection(raw);
  refuseAttached(deps, ctx, collection.id);
  const current = await store.requireCollection(deps.db, ctx.tenant, collection.id);
  const errors = [...changeErrors, ...incompatibleChanges(current.record.fields, collection.fields)];
  if (errors.length > 0) throw new CollectionChangeNotSupportedError(errors);
  const record: CollectionRecord = {
    ...current.record,
    fields: collection.fields,
    updatedAt: deps.now().toISOString(),
  };
  if (collection.displayName !== undefined) record.displayName = collection.displayName;
  if (collection.permissions !== undefined) record.permissions = collection.permissions;
  await store.replaceCollection(deps.db, ctx.tenant, record, current.version);
  return toWire(record, deps.config.pagingMode);
}

export async function deleteCollection(
  deps: Deps,
  ctx: RequestContext,
  collectionId: unknown,
): Promise<void> {
  const id = requireCollectionIdString(collectionId);
  refuseAttached(deps, ctx, id);
  const job = await store.deleteCollection(deps.db, ctx.tenant, id, deps.now());
  await startPurge(deps, ctx, job);
}

/**
 * Adds one field (legacy /schemas/column/add). The field is validated like any collection field;
 * the change is one read and one write conditional on the version read, so a concurrent change is
 * a ConflictError, never lost.
 */
export async function addCollectionField(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  rawField: unknown,
): Promise<WireCollection> {
  refuseAttached(deps, ctx, collectionId);
  const key = isObject(rawField) ? rawField.key : undefined;
  if (SYSTEM_FIELDS.some((s) => s.key === key)) throw systemFieldError(String(key));
  const { collection, changeErrors } = parseCollection({ id: collectionId, fields: [rawField] });
  if (changeErrors.length > 0) throw new CollectionChangeNotSupportedError(changeErrors);
  const field = collection.fields[collection.fields.length - 1]!;
  const current = await store.requireCollection(deps.db, ctx.tenant, collectionId);
  if (current.record.fields.some((f) => f.key === field.key)) {
    throw new ValidationError(`Collection ${collectionId} already has a field ${field.key}`, [
      { fieldPath: 'column.name', rejectedValue: field.key, message: 'field already exists' },
    ]);
  }
  return replaceFields(deps, ctx, current, [...current.record.fields, field]);
}

/** Removes one field (legacy /schemas/column/remove); item values stay (Wix data is schemaless). */
export async function removeCollectionField(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  fieldKey: string,
): Promise<WireCollection> {
  refuseAttached(deps, ctx, collectionId);
  if (SYSTEM_FIELDS.some((s) => s.key === fieldKey)) throw systemFieldError(fieldKey);
  const current = await store.requireCollection(deps.db, ctx.tenant, collectionId);
  if (!current.record.fields.some((f) => f.key === fieldKey))
    throw new FieldNotFoundError(collectionId, fieldKey);
  return replaceFields(
    deps,
    ctx,
    current,
    current.record.fields.filter((f) => f.key !== fieldKey),
  );
}

function systemFieldError(key: string): ValidationError {
  return new ValidationError(`Cannot modify system field ${key}`, [
    { fieldPath: 'column', rejectedValue: key, message: 'system field' },
  ]);
}

async function replaceFields(
  deps: Deps,
  ctx: RequestContext,
  current: store.StoredCollection,
  fields: FieldDef[],
): Promise<WireCollection> {
  const record: CollectionRecord = { ...current.record, fields, updatedAt: deps.now().toISOString() };
  await store.replaceCollection(deps.db, ctx.tenant, record, current.version);
  return toWire(record, deps.config.pagingMode);
}

export function parseCollectionIds(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.length > 1000 || raw.some((id) => typeof id !== 'string')) {
    throw new ValidationError('collectionIds must be an array of at most 1000 strings', [
      { fieldPath: 'collectionIds', message: 'array of strings' },
    ]);
  }
  return raw as string[];
}
