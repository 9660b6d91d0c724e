/**
 * includeReferencedItems on a query page: single references become the referenced item, multi
 * references an array of up to `limit` referenced items (by reference creation time). Batched: one
 * Query for all the page's references of a field and BatchGetItem for the items, never a request per row.
 */
import type { RequestContext } from '../model/context';
import { matches } from '../query/evaluate';
import { parseFilter } from '../query/parse';
import { compareStrings } from '../query/values';
import type { Deps } from '../model/deps';
import { getItems, type WixItem } from '../store/items';
import { itemsPk } from '../store/keys';
import { referencesOfRange, type Reference, type ReferenceScope } from '../store/references';
import type { CollectionRecord } from './collectionModel';
import { budgetOf } from './query';
import { fieldPolicy } from './queryPolicy';
import { live, targetOf, targetRecord } from './references';

export interface IncludeSpec {
  readonly fieldKey: string;
  readonly limit: number;
  readonly filter: unknown;
}

export async function includeReferenced(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  rows: WixItem[],
  includes: readonly IncludeSpec[],
  consistent: boolean,
): Promise<void> {
  if (rows.length === 0) return;
  for (const inc of includes) {
    const field = record.fields.find((f) => f.key === inc.fieldKey);
    if (!field) continue;
    if (field.type === 'REFERENCE') {
      const targetId = field.singleReferenceOptions?.referencedCollectionId;
      if (typeof targetId !== 'string') continue;
      const target = await targetRecord(deps, ctx, targetId);
      if (!target) continue;
      const ids = rows.map((r) => r[inc.fieldKey]).filter((v): v is string => typeof v === 'string');
      const found = await getItems(
        deps.db,
        itemsPk(ctx.tenant, targetId, target.generation),
        ids,
        consistent,
      );
      for (const row of rows) {
        const id = row[inc.fieldKey];
        if (typeof id === 'string' && found.has(id)) row[inc.fieldKey] = found.get(id);
      }
      continue;
    }
    if (field.type !== 'MULTI_REFERENCE') continue;
    const targetId = targetOf(field);
    const target = targetId ? await targetRecord(deps, ctx, targetId) : undefined;
    if (!targetId || !target) {
      for (const row of rows) row[inc.fieldKey] = [];
      continue;
    }
    const scope: ReferenceScope = {
      tenant: ctx.tenant,
      collectionId: record.id,
      generation: record.generation,
      field: field.key,
    };
    const rowIds = new Set(rows.map((r) => String(r._id)));
    const sortedIds = [...rowIds].sort((a, b) =>
      compareStrings(encodeURIComponent(a), encodeURIComponent(b)),
    );
    const refs = live(
      await referencesOfRange(
        deps.db,
        scope,
        sortedIds[0],
        sortedIds[sortedIds.length - 1],
        consistent,
        budgetOf(ctx),
      ),
      target,
    ).filter((r) => rowIds.has(r.referringItemId));
    const items = await getItems(
      deps.db,
      itemsPk(ctx.tenant, targetId, target.generation),
      refs.map((r) => r.referencedItemId),
      consistent,
    );
    const filter = parseFilter(inc.filter, fieldPolicy(target), `includeReferencedItems.filter`);
    const byRow = new Map<string, Reference[]>();
    for (const r of refs.sort((a, b) => compareStrings(a.at, b.at))) {
      const list = byRow.get(r.referringItemId) ?? [];
      list.push(r);
      byRow.set(r.referringItemId, list);
    }
    for (const row of rows) {
      const list = (byRow.get(String(row._id)) ?? [])
        .map((r) => items.get(r.referencedItemId))
        .filter((it): it is WixItem => it !== undefined && matches(filter, it));
      row[inc.fieldKey] = list.slice(0, inc.limit);
    }
  }
}
