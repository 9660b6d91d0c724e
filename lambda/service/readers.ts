/**
 * The seam between the read services and a collection's storage: how to plan a filter on it and how
 * to run the plan. Our own collections plan on the shared table's layout (query/plan.ts); attached
 * tables on their own keys and indexes (query/tablePlan.ts). The services above are the same.
 */
import type { CollectionRecord } from '../model/collection';
import type { Node, SortKey } from '../query/ast';
import { plan, type Plan } from '../query/plan';
import { planTable, type TableQueryPath } from '../query/tablePlan';
import { countAttached, getAttachedItems, streamAttached } from '../store/attached/read';
import type { Db } from '../store/client';
import { getItems, type WixItem } from '../store/items';
import { itemsPk } from '../store/keys';
import type { Budget } from '../store/paginate';
import { countQuery, streamQuery, type QueryPath, type StreamOptions } from '../store/queryItems';

export interface Reader {
  /** Items by `_id` (a map id -> item of those that exist). */
  get(ids: readonly string[], consistent: boolean): Promise<Map<string, WixItem>>;
  /** The items of each page a query plan reads. */
  stream(path: QueryPath, options: StreamOptions): AsyncGenerator<WixItem[]>;
  /** Exact count of an exact plan, without reading the items out. */
  count(path: QueryPath, consistent: boolean): Promise<number>;
}

export interface PlanOptions {
  /** Resume after this `_id` (cursor paging in `_id` order; own collections only). */
  readonly afterId?: string;
  readonly consistent: boolean;
}

export function planFor(
  record: CollectionRecord,
  tenant: string,
  filter: Node,
  sort: readonly SortKey[],
  options: PlanOptions,
): Plan {
  if (record.attached) return planTable(filter, sort, record.attached, { consistent: options.consistent });
  const pk = itemsPk(tenant, record.id, record.generation);
  return plan(filter, sort, pk, options.afterId !== undefined ? { afterId: options.afterId } : {});
}

export function readerFor(db: Db, record: CollectionRecord, tenant: string, budget: Budget): Reader {
  const layout = record.attached;
  if (layout) {
    return {
      get: (ids, consistent) => getAttachedItems(db, layout, ids, consistent, budget),
      stream: (path, options) => streamAttached(db, layout, path as TableQueryPath, options),
      count: (path, consistent) => countAttached(db, path as TableQueryPath, consistent, budget),
    };
  }
  const pk = itemsPk(tenant, record.id, record.generation);
  return {
    get: (ids, consistent) => getItems(db, pk, ids, consistent),
    stream: (path, options) => streamQuery(db, path, options),
    count: (path, consistent) => countQuery(db, path, consistent, budget),
  };
}
