/** References between items: insert, remove, query-referenced, include on query, cleanup on item removal. */
import {
  CollectionNotFoundError,
  ItemNotFoundError,
  ReferenceAlreadyExistsError,
  ValidationError,
  isDomainError,
  type DomainError,
} from '../errors';
import type { RequestContext } from '../model/context';
import { preview } from '../text';
import { project } from '../query/project';
import { compareStrings } from '../query/values';
import type { Deps } from '../model/deps';
import * as collections from '../store/collections';
import { mapLimit, mapLimitByKey } from '../store/concurrency';
import { getItems, type WixItem } from '../store/items';
import { itemsPk } from '../store/keys';
import {
  deleteReference,
  deleteReferences,
  inboundLinks,
  markInboundComplete,
  putInboundLink,
  putReference,
  referencesFrom,
  referencesOfRange,
  referencesTo,
  type Reference,
  type ReferenceScope,
} from '../store/references';
import { pageOf, resume, type OffsetPaged, type PageResult } from './offsetPages';
import type { CollectionRecord, FieldDef } from './collectionModel';
import { budgetOf } from './query';
import { liveReferences } from './referenceLiveness';
import { creationTokenOf, NO_TOKEN } from '../store/creationToken';

export interface ReferencePair {
  readonly referringItemId: string;
  readonly referencedItemId: string;
}

export type ReferenceResult = { reference: ReferencePair } | { error: DomainError };

/** A collection's multi-reference field and where it points. */
interface MultiRefField {
  readonly scope: ReferenceScope;
  readonly record: CollectionRecord;
  readonly targetId: string;
}

export function targetOf(field: FieldDef): string | undefined {
  const t = field.multiReferenceOptions?.referencedCollectionId;
  return typeof t === 'string' && t.length > 0 ? t : undefined;
}

async function multiRefField(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  fieldKey: unknown,
): Promise<MultiRefField> {
  const { record } = await collections.requireCollection(deps.db, ctx.tenant, collectionId);
  const field = record.fields.find((f) => f.key === fieldKey);
  const targetId = field && field.type === 'MULTI_REFERENCE' ? targetOf(field) : undefined;
  if (!field || !targetId) {
    throw new ValidationError(`${preview(fieldKey, 100)} is not a multi-reference field of ${collectionId}`, [
      {
        fieldPath: 'referringFieldKey',
        rejectedValue: preview(fieldKey),
        message: 'not a MULTI_REFERENCE field',
      },
    ]);
  }
  return {
    scope: { tenant: ctx.tenant, collectionId, generation: record.generation, field: field.key },
    record,
    targetId,
  };
}

export async function targetRecord(
  deps: Deps,
  ctx: RequestContext,
  targetId: string,
): Promise<CollectionRecord | undefined> {
  return (await collections.getCollection(deps.db, ctx.tenant, targetId))?.record;
}

/** References into a collection that was truncated or deleted since are not references any more. */
export function live(refs: Reference[], target: CollectionRecord | undefined): Reference[] {
  return target ? refs.filter((r) => r.referencedGeneration === target.generation) : [];
}

export async function insertReferences(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  fieldKey: string,
  pairs: ReferencePair[],
): Promise<ReferenceResult[]> {
  const { scope, record, targetId } = await multiRefField(deps, ctx, collectionId, fieldKey);
  const target = await targetRecord(deps, ctx, targetId);
  if (!target) throw new CollectionNotFoundError(targetId);
  const consistent = true;
  const [referring, referenced] = await Promise.all([
    getItems(
      deps.db,
      itemsPk(ctx.tenant, collectionId, record.generation),
      pairs.map((p) => p.referringItemId),
      consistent,
    ),
    getItems(
      deps.db,
      itemsPk(ctx.tenant, targetId, target.generation),
      pairs.map((p) => p.referencedItemId),
      consistent,
    ),
  ]);
  // before the field's first reference: removing a target item must find this field (see below)
  await putInboundLink(deps.db, ctx.tenant, targetId, { collectionId, field: scope.field });
  const now = deps.now().toISOString();
  const seen = new Set<string>();
  return mapLimit(pairs, 25, async (pair, i): Promise<ReferenceResult> => {
    if (!referring.has(pair.referringItemId)) return { error: new ItemNotFoundError(pair.referringItemId) };
    if (!referenced.has(pair.referencedItemId))
      return { error: new ItemNotFoundError(pair.referencedItemId) };
    const key = `${pair.referringItemId}\u0000${pair.referencedItemId}`;
    if (seen.has(key))
      return { error: new ReferenceAlreadyExistsError(pair.referringItemId, pair.referencedItemId) };
    seen.add(key);
    try {
      await putReference(deps.db, scope, {
        ...pair,
        at: `${now}#${String(i).padStart(4, '0')}`,
        referencedCollectionId: targetId,
        referencedGeneration: target.generation,
        // the lives of the two items this reference joins (service/referenceLiveness.ts)
        referringToken: creationTokenOf(referring.get(pair.referringItemId)!) ?? NO_TOKEN,
        referencedToken: creationTokenOf(referenced.get(pair.referencedItemId)!) ?? NO_TOKEN,
      });
      return { reference: pair };
    } catch (err) {
      if (isDomainError(err)) return { error: err };
      throw err;
    }
  });
}

export async function removeReferences(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  fieldKey: string,
  pairs: ReferencePair[],
): Promise<ReferenceResult[]> {
  const { scope, targetId } = await multiRefField(deps, ctx, collectionId, fieldKey);
  const target = await targetRecord(deps, ctx, targetId);
  const keys = pairs.map((p) => `${p.referringItemId}\u0000${p.referencedItemId}`);
  return mapLimitByKey(keys, 25, async (i): Promise<ReferenceResult> => {
    const pair = pairs[i]!;
    try {
      await deleteReference(deps.db, scope, pair.referringItemId, pair.referencedItemId, target?.generation);
      return { reference: pair };
    } catch (err) {
      if (isDomainError(err)) return { error: err };
      throw err;
    }
  });
}

export interface QueryReferencedSpec extends OffsetPaged {
  readonly referringFieldKey: string;
  readonly referringItemIds: readonly string[];
  readonly referencedItemIds: readonly string[];
  readonly desc: boolean;
  readonly fieldsToReturn: readonly string[] | undefined;
  readonly includeReferencedItems: boolean;
  readonly consistentRead: boolean;
}

export interface ReferencedRow {
  referringItemId: string;
  referencedItemId: string;
  referencedItem?: WixItem;
}

async function gather(
  deps: Deps,
  ctx: RequestContext,
  field: MultiRefField,
  spec: QueryReferencedSpec,
): Promise<Reference[]> {
  const budget = budgetOf(ctx);
  const { scope } = field;
  if (spec.referringItemIds.length > 0) {
    const wanted = spec.referencedItemIds.length > 0 ? new Set(spec.referencedItemIds) : undefined;
    const lists = await mapLimit([...new Set(spec.referringItemIds)], 8, (id) =>
      referencesFrom(deps.db, scope, id, spec.consistentRead, budget),
    );
    return lists.flat().filter((r) => !wanted || wanted.has(r.referencedItemId));
  }
  if (spec.referencedItemIds.length > 0) {
    const lists = await mapLimit([...new Set(spec.referencedItemIds)], 8, (id) =>
      referencesTo(deps.db, scope, id, budget),
    );
    return lists.flat();
  }
  return referencesOfRange(deps.db, scope, undefined, undefined, spec.consistentRead, budget);
}

export async function queryReferenced(
  deps: Deps,
  ctx: RequestContext,
  given: QueryReferencedSpec,
): Promise<PageResult<ReferencedRow>> {
  const field = await multiRefField(deps, ctx, given.collectionId, given.referringFieldKey);
  const { spec, offset } = resume(deps, ctx, given, field.record.generation, 'referenced');
  const target = await targetRecord(deps, ctx, field.targetId);
  const refs = live(await gather(deps, ctx, field, spec), target).sort((a, b) => {
    const c =
      compareStrings(a.at, b.at) ||
      compareStrings(a.referringItemId, b.referringItemId) ||
      compareStrings(a.referencedItemId, b.referencedItemId);
    return spec.desc ? -c : c;
  });
  // Only live references count (service/referenceLiveness.ts): those up to the end of the page (and
  // one more, for the next cursor), or all of them for a total.
  const need = spec.returnTotalCount ? refs.length : offset + spec.limit + (spec.cursorMode ? 1 : 0);
  const checked = target
    ? await liveReferences(
        deps,
        ctx,
        {
          referringPk: itemsPk(ctx.tenant, field.scope.collectionId, field.record.generation),
          referencedPk: itemsPk(ctx.tenant, field.targetId, target.generation),
        },
        refs,
        need,
        spec.consistentRead,
      )
    : { live: [], referenced: new Map<string, WixItem | undefined>() };
  const pageRefs = checked.live.slice(offset, offset + spec.limit);
  // the referenced items were read to check the references: the include reuses them
  const items = spec.includeReferencedItems ? checked.referenced : new Map<string, WixItem | undefined>();
  const rows = pageRefs.map((r) => {
    const row: ReferencedRow = { referringItemId: r.referringItemId, referencedItemId: r.referencedItemId };
    const item = items.get(r.referencedItemId);
    if (item) row.referencedItem = project(item, spec.fieldsToReturn);
    return row;
  });
  return { ...pageOf(deps, ctx, checked.live, spec, offset, field.record.generation, 'referenced'), rows };
}

interface PointingField {
  readonly r: CollectionRecord;
  readonly f: FieldDef;
}

/**
 * The multi-reference fields that point at `targetId`, read from its inbound links (store/
 * references.ts) and checked against each referring collection's current record: a remove reads the
 * few records that point at its collection, not every record of the tenant. The first time for a
 * target (links made before links existed) the records are listed once and the links written.
 */
async function pointingFields(deps: Deps, ctx: RequestContext, targetId: string): Promise<PointingField[]> {
  const { complete, links } = await inboundLinks(deps.db, ctx.tenant, targetId, budgetOf(ctx));
  if (!complete) {
    const all = await collections.listCollections(deps.db, ctx.tenant);
    const found = all.flatMap(({ record: r }) =>
      r.fields.filter((f) => f.type === 'MULTI_REFERENCE' && targetOf(f) === targetId).map((f) => ({ r, f })),
    );
    await mapLimit(found, 8, ({ r, f }) =>
      putInboundLink(deps.db, ctx.tenant, targetId, { collectionId: r.id, field: f.key }),
    );
    await markInboundComplete(deps.db, ctx.tenant, targetId);
    return found;
  }
  const byCollection = new Map<string, string[]>();
  for (const l of links)
    byCollection.set(l.collectionId, [...(byCollection.get(l.collectionId) ?? []), l.field]);
  const records = await mapLimit([...byCollection.keys()], 8, (id) => targetRecord(deps, ctx, id));
  return [...byCollection.values()].flatMap((fields, i) => {
    const r = records[i];
    if (!r) return [];
    return r.fields
      .filter((f) => fields.includes(f.key) && f.type === 'MULTI_REFERENCE' && targetOf(f) === targetId)
      .map((f) => ({ r, f }));
  });
}

/**
 * Removing items removes their references: those they hold (each multi-reference field of their
 * collection) and those pointing at them (multi-reference fields of any collection targeting theirs).
 */
export async function removeReferencesOfItems(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const budget = budgetOf(ctx);
  const holding = record.fields.filter((f) => f.type === 'MULTI_REFERENCE' && targetOf(f));
  const pointing = await pointingFields(deps, ctx, record.id);
  if (holding.length === 0 && pointing.length === 0) return;
  for (const f of holding) {
    const scope: ReferenceScope = {
      tenant: ctx.tenant,
      collectionId: record.id,
      generation: record.generation,
      field: f.key,
    };
    const refs = (
      await mapLimit([...ids], 8, (id) => referencesFrom(deps.db, scope, id, true, budget))
    ).flat();
    await deleteReferences(deps.db, scope, refs);
  }
  for (const { r, f } of pointing) {
    const scope: ReferenceScope = {
      tenant: ctx.tenant,
      collectionId: r.id,
      generation: r.generation,
      field: f.key,
    };
    const refs = (await mapLimit([...ids], 8, (id) => referencesTo(deps.db, scope, id, budget))).flat();
    await deleteReferences(deps.db, scope, refs);
  }
}
