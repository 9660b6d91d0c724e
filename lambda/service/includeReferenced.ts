/**
 * includeReferencedItems on a query page: single references become the referenced item, multi
 * references an array of up to `limit` referenced items (by reference creation time).
 *
 * The work is bounded by the page the caller gets back, never by the collection behind it:
 * - references are read per returned row (one key-prefix Query each), not for an id range that may
 *   hold every other item's references too;
 * - referenced items are fetched lazily, at most `limit` still-missing ones per row per round and
 *   each id once per field, so a row holding 80,000 references with `limit: 1` reads one item when
 *   there is no filter, not 80,000;
 * - every read is charged to the request's budget (`ctx.budget`) and every in-memory filter check
 *   ticks its clock, so an include that needs too much is a 400 QUERY_TOO_EXPENSIVE, never a 500.
 */
import type { RequestContext } from '../model/context';
import { matches } from '../query/evaluate';
import { parseFilter } from '../query/parse';
import { compareStrings } from '../query/values';
import type { Deps } from '../model/deps';
import type { WixItem } from '../store/items';
import { itemsPk } from '../store/keys';
import { mapLimit } from '../store/concurrency';
import { referencesFrom, type Reference, type ReferenceScope } from '../store/references';
import { getItemsCharged } from './chargedReads';
import type { CollectionRecord } from './collectionModel';
import { budgetOf } from './query';
import { fieldPolicy } from './queryPolicy';
import { live, targetOf, targetRecord } from './references';
import { sameLife } from './referenceLiveness';
import { creationTokenOf } from '../store/creationToken';

const FILTERED_READ_AHEAD = 100;

export interface IncludeSpec {
  readonly fieldKey: string;
  readonly limit: number;
  readonly filter: unknown;
}

async function includeSingle(
  deps: Deps,
  ctx: RequestContext,
  rows: WixItem[],
  fieldKey: string,
  targetId: string,
  consistent: boolean,
): Promise<void> {
  const target = await targetRecord(deps, ctx, targetId);
  if (!target) return;
  const ids = rows.map((r) => r[fieldKey]).filter((v): v is string => typeof v === 'string');
  const found = await getItemsCharged(
    deps,
    ctx,
    itemsPk(ctx.tenant, targetId, target.generation),
    ids,
    consistent,
  );
  for (const row of rows) {
    const id = row[fieldKey];
    if (typeof id === 'string' && found.has(id)) row[fieldKey] = found.get(id);
  }
}

async function includeMulti(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  rows: WixItem[],
  inc: IncludeSpec,
  targetId: string | undefined,
  consistent: boolean,
): Promise<void> {
  const target = targetId ? await targetRecord(deps, ctx, targetId) : undefined;
  if (!targetId || !target) {
    for (const row of rows) row[inc.fieldKey] = [];
    return;
  }
  const filter = parseFilter(inc.filter, fieldPolicy(target), `includeReferencedItems.filter`);
  const scope: ReferenceScope = {
    tenant: ctx.tenant,
    collectionId: record.id,
    generation: record.generation,
    field: inc.fieldKey,
  };
  const rowIds = [...new Set(rows.map((r) => String(r._id)))];
  const budget = budgetOf(ctx);
  const lists = await mapLimit(rowIds, 8, (id) => referencesFrom(deps.db, scope, id, consistent, budget));
  const holding = rows.filter((row) => lists[rowIds.indexOf(String(row._id))]!.length > 0);
  const rowTokens = await referringTokens(deps, ctx, record, holding, consistent);
  const pending = new Map<string, Reference[]>();
  rowIds.forEach((id, i) =>
    pending.set(
      id,
      // only the references this row's item made (service/referenceLiveness.ts)
      live(lists[i]!, target)
        .filter((r) => r.referringToken === rowTokens.get(id))
        .sort((a, b) => compareStrings(a.at, b.at)),
    ),
  );
  const chosen = new Map<string, WixItem[]>(rowIds.map((id) => [id, []]));
  // fetched ids (undefined: the referenced item no longer exists), shared by every row of the page
  const fetched = new Map<string, WixItem | undefined>();
  const pk = itemsPk(ctx.tenant, targetId, target.generation);
  for (;;) {
    // each round asks, per row still short of `limit`, only for as many new items as it lacks
    const wanted = new Set<string>();
    for (const id of rowIds) {
      const refs = pending.get(id)!;
      // with a filter some fetched items will not match: read ahead in whole batches, not one by one
      const short = inc.limit - chosen.get(id)!.length;
      let lacking = short > 0 && filter.kind !== 'all' ? Math.max(short, FILTERED_READ_AHEAD) : short;
      for (let i = 0; i < refs.length && lacking > 0; i++) {
        const ref = refs[i]!.referencedItemId;
        if (!fetched.has(ref) && !wanted.has(ref)) wanted.add(ref);
        lacking -= 1;
      }
    }
    if (wanted.size > 0) {
      const found = await getItemsCharged(deps, ctx, pk, [...wanted], consistent);
      for (const id of wanted) fetched.set(id, found.get(id));
    }
    let progress = false;
    for (const id of rowIds) {
      const refs = pending.get(id)!;
      const list = chosen.get(id)!;
      while (refs.length > 0 && list.length < inc.limit && fetched.has(refs[0]!.referencedItemId)) {
        const ref = refs.shift()!;
        const item = fetched.get(ref.referencedItemId);
        ctx.budget.tick();
        // an item created again under the referenced id is not the one referenced
        if (sameLife(item, ref.referencedToken) && matches(filter, item!)) list.push(item!);
        progress = true;
      }
    }
    if (!progress) break;
  }
  for (const row of rows) row[inc.fieldKey] = [...chosen.get(String(row._id))!];
}

/**
 * The creation token of each row's item. Rows read from our table carry it (and keep it through a
 * projection); a row that does not (none today) has its item read again rather than trusted.
 */
async function referringTokens(
  deps: Deps,
  ctx: RequestContext,
  record: CollectionRecord,
  rows: readonly WixItem[],
  consistent: boolean,
): Promise<Map<string, string | undefined>> {
  const tokens = new Map<string, string | undefined>();
  const unknown: string[] = [];
  for (const row of rows) {
    const token = creationTokenOf(row);
    if (token === undefined) unknown.push(String(row._id));
    else tokens.set(String(row._id), token);
  }
  if (unknown.length > 0) {
    const pk = itemsPk(ctx.tenant, record.id, record.generation);
    const found = await getItemsCharged(deps, ctx, pk, unknown, consistent);
    for (const id of unknown) {
      const item = found.get(id);
      tokens.set(id, item === undefined ? undefined : creationTokenOf(item));
    }
  }
  return tokens;
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
      if (typeof targetId === 'string')
        await includeSingle(deps, ctx, rows, inc.fieldKey, targetId, consistent);
      continue;
    }
    if (field.type === 'MULTI_REFERENCE')
      await includeMulti(deps, ctx, record, rows, inc, targetOf(field), consistent);
  }
}
