/**
 * The planner: picks the cheapest DynamoDB access path for a filter and sort (DESIGN §4), as plain
 * data the store executes. The full filter is always re-evaluated in memory on what DynamoDB returns,
 * so every DynamoDB-side narrowing only has to be a superset.
 *
 *  1. `_id` equality / set          -> GetItem / BatchGetItem
 *  2. `_id` range or prefix         -> Query with a key condition on the sort key
 *  3. (GSI slots: not yet)
 *  4. otherwise                     -> Query over the collection's partition, FilterExpression with
 *                                      everything DynamoDB can soundly evaluate
 */
import { ATTR } from '../store/schema';
import type { Node, SortKey } from './ast';
import { express } from './express';
import { Placeholders } from './placeholders';
import { compareStrings } from './values';

export interface KeyRange {
  lower?: { value: string; inclusive: boolean };
  upper?: { value: string; inclusive: boolean };
}

export type AccessPath =
  | { readonly kind: 'none' }
  | { readonly kind: 'get'; readonly ids: readonly string[] }
  | {
      readonly kind: 'query';
      readonly keyCondition: string;
      readonly filterExpression: string | undefined;
      readonly names: Record<string, string>;
      readonly values: Record<string, unknown>;
      /** DynamoDB's filter matches exactly what the evaluator matches (so COUNT can be pushed down). */
      readonly exact: boolean;
      /** Key order of the results, and whether that already is the requested order. */
      readonly descending: boolean;
      readonly orderedBySort: boolean;
    };

export interface Plan {
  readonly filter: Node;
  readonly sort: readonly SortKey[];
  readonly path: AccessPath;
}

/** The effective sort: the requested keys, then `_id` as the final tie-break (default `_id` ASC). */
export function effectiveSort(sort: readonly SortKey[]): SortKey[] {
  const out: SortKey[] = [];
  for (const s of sort) {
    if (out.some((o) => o.field === s.field)) continue;
    out.push(s);
    if (s.field === '_id') return out;
  }
  out.push({ field: '_id', desc: false });
  return out;
}

/** The top-level AND terms, nested ANDs flattened. */
function conjuncts(node: Node): readonly Node[] {
  if (node.kind === 'and') return node.children.flatMap(conjuncts);
  if (node.kind === 'all') return [];
  return [node];
}

function intersect(a: string[] | undefined, b: string[]): string[] {
  if (!a) return [...new Set(b)];
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

function tighterLower(cur: KeyRange['lower'], next: NonNullable<KeyRange['lower']>): KeyRange['lower'] {
  if (!cur) return next;
  const c = compareStrings(next.value, cur.value);
  if (c > 0 || (c === 0 && !next.inclusive)) return next;
  return cur;
}

function tighterUpper(cur: KeyRange['upper'], next: NonNullable<KeyRange['upper']>): KeyRange['upper'] {
  if (!cur) return next;
  const c = compareStrings(next.value, cur.value);
  if (c < 0 || (c === 0 && !next.inclusive)) return next;
  return cur;
}

/**
 * Key bounds for a case-insensitive `_id` prefix: every case variant of an ASCII prefix lies between
 * its upper-case form and the successor of its lower-case form (a superset; memory checks exactly).
 */
function prefixRange(prefix: string): KeyRange | undefined {
  if (prefix.length === 0 || !/^[\x20-\x7e]+$/.test(prefix)) return undefined;
  // U+0130 and U+212A lower-case to "i" and "k": ids holding them match in memory but lie outside
  // the ASCII range, so such prefixes are left to memory.
  if (/[ik]/i.test(prefix)) return undefined;
  const lower = prefix.toLowerCase();
  const last = lower.charCodeAt(lower.length - 1);
  return {
    lower: { value: prefix.toUpperCase(), inclusive: true },
    upper: { value: lower.slice(0, -1) + String.fromCharCode(last + 1), inclusive: false },
  };
}

interface IdConstraints {
  ids?: string[];
  range: KeyRange;
  impossible: boolean;
}

/** DynamoDB refuses sort key values over 1024 bytes; no stored `_id` is longer. */
const MAX_KEY_BYTES = 1024;
const fitsKey = (v: string) => v.length > 0 && Buffer.byteLength(v, 'utf8') <= MAX_KEY_BYTES;

function idConstraints(filter: Node): IdConstraints {
  const out: IdConstraints = { range: {}, impossible: false };
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'cmp' || c.field !== '_id') continue;
    const v = c.operand;
    switch (c.op) {
      case '$eq':
        out.ids = intersect(out.ids, typeof v === 'string' && fitsKey(v) ? [v] : []);
        break;
      case '$in':
      case '$hasSome':
        out.ids = intersect(
          out.ids,
          (v as unknown[]).filter((x): x is string => typeof x === 'string' && fitsKey(x)),
        );
        break;
      case '$gt':
      case '$gte':
        if (typeof v !== 'string')
          out.impossible = true; // ids are strings: a number/date bound matches nothing
        else if (fitsKey(v))
          out.range.lower = tighterLower(out.range.lower, { value: v, inclusive: c.op === '$gte' });
        // (a bound too long to be a key is left to memory)
        break;
      case '$lt':
      case '$lte':
        if (typeof v !== 'string') out.impossible = true;
        else if (fitsKey(v))
          out.range.upper = tighterUpper(out.range.upper, { value: v, inclusive: c.op === '$lte' });
        break;
      case '$startsWith': {
        if (!fitsKey(v as string)) break;
        const r = prefixRange(v as string);
        if (r?.lower) out.range.lower = tighterLower(out.range.lower, r.lower);
        if (r?.upper) out.range.upper = tighterUpper(out.range.upper, r.upper);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

const MAX_EXPRESSION_CHARS = 3500;
const MAX_VALUE_BYTES = 256 * 1024;

function valuesTooLarge(ph: Placeholders): boolean {
  return Buffer.byteLength(JSON.stringify(ph.values), 'utf8') > MAX_VALUE_BYTES;
}

/** Placeholders that the final expressions do not use are dropped (DynamoDB rejects unused ones). */
function prune(
  ph: Placeholders,
  used: string,
): { names: Record<string, string>; values: Record<string, unknown> } {
  const tokens = new Set(used.match(/[#:][nv]\d+/g) ?? []);
  const names = Object.fromEntries(Object.entries(ph.names).filter(([k]) => tokens.has(k)));
  const values = Object.fromEntries(Object.entries(ph.values).filter(([k]) => tokens.has(k)));
  return { names, values };
}

export interface PlanOptions {
  /** Resume after this `_id` when the order is by `_id` (cursor paging): a key condition, so later pages cost the same. */
  readonly afterId?: string;
}

export function plan(filter: Node, sort: readonly SortKey[], pk: string, options: PlanOptions = {}): Plan {
  const fullSort = effectiveSort(sort);
  const ids = idConstraints(filter);
  const first = fullSort[0]!;
  if (options.afterId !== undefined && first.field === '_id') {
    const bound = { value: options.afterId, inclusive: false };
    if (first.desc) ids.range.upper = tighterUpper(ids.range.upper, bound);
    else ids.range.lower = tighterLower(ids.range.lower, bound);
  }
  if (ids.impossible || ids.ids?.length === 0) return { filter, sort: fullSort, path: { kind: 'none' } };
  if (ids.ids) return { filter, sort: fullSort, path: { kind: 'get', ids: ids.ids } };

  const ph = new Placeholders();
  const pkName = ph.name(ATTR.pk);
  const skName = ph.name(ATTR.sk);
  let keyCondition = `${pkName} = ${ph.value(pk)}`;
  const { lower, upper } = ids.range;
  if (lower && upper) {
    const c = compareStrings(lower.value, upper.value);
    if (c > 0 || (c === 0 && !(lower.inclusive && upper.inclusive)))
      return { filter, sort: fullSort, path: { kind: 'none' } };
    keyCondition += ` AND ${skName} BETWEEN ${ph.value(lower.value)} AND ${ph.value(upper.value)}`;
  } else if (lower) {
    keyCondition += ` AND ${skName} ${lower.inclusive ? '>=' : '>'} ${ph.value(lower.value)}`;
  } else if (upper) {
    keyCondition += ` AND ${skName} ${upper.inclusive ? '<=' : '<'} ${ph.value(upper.value)}`;
  }
  let compiled = express(filter, ph);
  // DynamoDB caps an expression at 4 KB and its values at a few MB: past that, memory filters.
  if (
    compiled.expr &&
    (compiled.expr.length + keyCondition.length > MAX_EXPRESSION_CHARS || valuesTooLarge(ph))
  ) {
    compiled = { expr: undefined, exact: false };
  }
  const { names, values } = prune(ph, `${keyCondition} ${compiled.expr ?? ''}`);
  return {
    filter,
    sort: fullSort,
    path: {
      kind: 'query',
      keyCondition,
      filterExpression: compiled.expr,
      names,
      values,
      // BETWEEN is inclusive: an exclusive bound there leaves memory a row to drop. A single bound is exact.
      exact:
        compiled.exact &&
        !(lower && upper && !(lower.inclusive && upper.inclusive)) &&
        !hasIdPredicate(filter),
      descending: first.field === '_id' && first.desc,
      orderedBySort: first.field === '_id',
    },
  };
}

/** `_id` predicates are never in the FilterExpression (key attributes cannot be): memory checks them. */
function hasIdPredicate(node: Node): boolean {
  switch (node.kind) {
    case 'cmp':
      return node.field === '_id' || node.field.startsWith('_id.');
    case 'and':
    case 'or':
      return node.children.some(hasIdPredicate);
    case 'not':
      return hasIdPredicate(node.child);
    default:
      return false;
  }
}
