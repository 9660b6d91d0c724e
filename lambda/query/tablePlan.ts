/**
 * The planner for an attached table (pure): the same job as plan.ts, on the table's own key schema
 * and indexes instead of the adaptor's layout. The full filter is always re-evaluated in memory, so
 * every DynamoDB-side narrowing only has to be a superset.
 *
 *  1. `_id` equality / set                          -> GetItem / BatchGetItem (ids decode to keys)
 *  2. partition-key equality (+ sort-key condition)  -> Query on the table
 *  3. an index whose partition key has an equality   -> Query on that GSI (not for consistentRead)
 *     (+ its sort key)                                  or LSI; only indexes that project ALL
 *  4. otherwise                                      -> Scan, parallel segments on large tables
 * Steps 2-4 carry a FilterExpression with every predicate DynamoDB can soundly evaluate there.
 */
import type { AttachedLayout, IndexLayout, KeyAttribute } from '../model/attachedLayout';
import { isDateWrapper } from '../store/values';
import type { Node, SortKey } from './ast';
import { express } from './express';
import { Placeholders, type ExpressionLayout } from './placeholders';
import { effectiveSort, type AccessPath, type Plan } from './plan';

/** How a read of an attached table is sent: which table or index, Query or Scan. */
export interface TableRead {
  readonly table: string;
  readonly indexName: string | undefined;
  /** Scan (no key condition), in this many parallel segments. */
  readonly scanSegments: number | undefined;
}

export type TableQueryPath = Extract<AccessPath, { kind: 'query' }> & TableRead;

export interface TablePlan extends Plan {
  readonly path:
    { readonly kind: 'none' } | { readonly kind: 'get'; readonly ids: readonly string[] } | TableQueryPath;
}

/** Items per Scan segment before another segment is added, and the most segments one request runs. */
export const ITEMS_PER_SEGMENT = 5_000;
export const MAX_SEGMENTS = 8;

export function scanSegments(approximateItems: number): number {
  return Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(approximateItems / ITEMS_PER_SEGMENT)));
}

function conjuncts(node: Node): readonly Node[] {
  if (node.kind === 'and') return node.children.flatMap(conjuncts);
  if (node.kind === 'all') return [];
  return [node];
}

type Cmp = Extract<Node, { kind: 'cmp' }>;

const fits = (key: KeyAttribute, v: unknown): v is string | number =>
  (key.type === 'S' && typeof v === 'string' && v.length > 0) ||
  (key.type === 'N' && typeof v === 'number' && Number.isFinite(v));

function idsOf(terms: readonly Cmp[]): string[] | undefined {
  let ids: string[] | undefined;
  for (const c of terms) {
    if (c.field !== '_id') continue;
    let these: string[] | undefined;
    if (c.op === '$eq') these = typeof c.operand === 'string' ? [c.operand] : [];
    else if (c.op === '$in' || c.op === '$hasSome')
      these = (c.operand as unknown[]).filter((x): x is string => typeof x === 'string');
    if (!these) continue;
    const set = new Set(these);
    ids = ids ? ids.filter((x) => set.has(x)) : [...set];
  }
  return ids;
}

function equalityOn(terms: readonly Cmp[], key: KeyAttribute): string | number | undefined {
  const t = terms.find((c) => c.field === key.name && c.op === '$eq' && fits(key, c.operand));
  return t?.operand as string | number | undefined;
}

/** One sort-key condition: equality, or the first lower and upper bounds (BETWEEN is inclusive). */
function sortCondition(
  terms: readonly Cmp[],
  key: KeyAttribute,
  ph: Placeholders,
): { expr: string; exact: boolean } | undefined {
  // The name is handed out only when a condition uses it, so placeholders stay dense.
  const name = () => ph.name(key.name);
  const eq = equalityOn(terms, key);
  if (eq !== undefined) return { expr: `${name()} = ${ph.value(eq)}`, exact: true };
  const on = terms.filter((c) => c.field === key.name && fits(key, c.operand));
  const lower = on.find((c) => c.op === '$gt' || c.op === '$gte');
  const upper = on.find((c) => c.op === '$lt' || c.op === '$lte');
  if (lower && upper) {
    return {
      expr: `${name()} BETWEEN ${ph.value(lower.operand)} AND ${ph.value(upper.operand)}`,
      exact: lower.op === '$gte' && upper.op === '$lte',
    };
  }
  const one = lower ?? upper;
  if (!one) return undefined;
  const symbol = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[one.op as '$gt'];
  return { expr: `${name()} ${symbol} ${ph.value(one.operand)}`, exact: true };
}

function hasDate(v: unknown): boolean {
  if (isDateWrapper(v)) return true;
  return Array.isArray(v) && v.some(hasDate);
}

/**
 * Attributes are the fields at the top level. DynamoDB cannot filter a Query on the key attributes
 * it reads by, and dates are strings there (while memory compares `{$date}`): those stay in memory.
 */
function layoutFor(table: AttachedLayout, keys: readonly string[]): ExpressionLayout {
  const memoryOnly = new Set([...keys, ...table.dateFields]);
  if (table.idMode === 'attribute') memoryOnly.add(table.partitionKey.name);
  return {
    attributePath: (fieldPath) => fieldPath.split('.'),
    accepts: (fieldPath, operand) => !memoryOnly.has(fieldPath.split('.')[0]!) && !hasDate(operand),
  };
}

function hasIdPredicate(node: Node): boolean {
  if (node.kind === 'cmp') return node.field === '_id' || node.field.startsWith('_id.');
  if (node.kind === 'and' || node.kind === 'or') return node.children.some(hasIdPredicate);
  if (node.kind === 'not') return hasIdPredicate(node.child);
  return false;
}

const MAX_EXPRESSION_CHARS = 3500;

export interface TablePlanOptions {
  readonly consistent: boolean;
}

export function planTable(
  filter: Node,
  sort: readonly SortKey[],
  table: AttachedLayout,
  options: TablePlanOptions,
): TablePlan {
  const fullSort = effectiveSort(sort);
  const terms = conjuncts(filter).filter((c): c is Cmp => c.kind === 'cmp');
  const ids = idsOf(terms);
  if (ids)
    return { filter, sort: fullSort, path: ids.length === 0 ? { kind: 'none' } : { kind: 'get', ids } };

  // Candidates in order of preference: the table, then its indexes (LSIs read consistently, GSIs not).
  interface Candidate {
    indexName: string | undefined;
    partitionKey: KeyAttribute;
    sortKey: KeyAttribute | undefined;
  }
  const candidates: Candidate[] = [];
  if (table.idMode === 'encoded')
    candidates.push({ indexName: undefined, partitionKey: table.partitionKey, sortKey: table.sortKey });
  const usable = (ix: IndexLayout) => ix.projectsAll && (ix.kind === 'LSI' || !options.consistent);
  for (const ix of table.indexes.filter(usable))
    candidates.push({ indexName: ix.name, partitionKey: ix.partitionKey, sortKey: ix.sortKey });
  const matching = candidates.filter((c) => equalityOn(terms, c.partitionKey) !== undefined);
  const chosen =
    matching.find((c) => c.sortKey && terms.some((t) => t.field === c.sortKey!.name)) ?? matching[0];

  const keyNames = [table.partitionKey.name, table.sortKey?.name].filter((n): n is string => !!n);
  let keyCondition = '';
  let keyExact = true;
  let ph: Placeholders;
  if (chosen) {
    ph = new Placeholders(
      layoutFor(table, [
        ...keyNames,
        chosen.partitionKey.name,
        chosen.sortKey?.name ?? chosen.partitionKey.name,
      ]),
    );
    keyCondition = `${ph.name(chosen.partitionKey.name)} = ${ph.value(equalityOn(terms, chosen.partitionKey))}`;
    const range = chosen.sortKey ? sortCondition(terms, chosen.sortKey, ph) : undefined;
    if (range) {
      keyCondition += ` AND ${range.expr}`;
      keyExact = range.exact;
    }
  } else {
    ph = new Placeholders(layoutFor(table, []));
  }
  let compiled = express(filter, ph);
  if (compiled.expr && compiled.expr.length + keyCondition.length > MAX_EXPRESSION_CHARS)
    compiled = { expr: undefined, exact: false };
  const used = new Set(`${keyCondition} ${compiled.expr ?? ''}`.match(/[#:][nv]\d+/g) ?? []);
  const names = Object.fromEntries(Object.entries(ph.names).filter(([k]) => used.has(k)));
  const values = Object.fromEntries(Object.entries(ph.values).filter(([k]) => used.has(k)));
  return {
    filter,
    sort: fullSort,
    path: {
      kind: 'query',
      table: table.table,
      indexName: chosen?.indexName,
      scanSegments: chosen ? undefined : scanSegments(table.approximateItems),
      keyCondition,
      filterExpression: compiled.expr,
      names,
      values,
      // Key-attribute predicates are left to memory, so they make the read a superset.
      exact: compiled.exact && keyExact && !hasIdPredicate(filter),
      descending: false,
      // Key order is not the Wix order (`_id` is an encoding): matches are sorted in memory.
      orderedBySort: false,
    },
  };
}
