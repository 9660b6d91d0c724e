/**
 * The in-memory reference for query tests: what /v3/items/query and /v3/items/count must answer,
 * computed with the evaluator alone (parseFilter + matches + comparator(effectiveSort)), no DynamoDB.
 */
import type { SortKey } from '../../lambda/query/ast';
import { matches } from '../../lambda/query/evaluate';
import { parseFilter } from '../../lambda/query/parse';
import { effectiveSort } from '../../lambda/query/plan';
import { comparator } from '../../lambda/query/sort';

export type Item = Record<string, unknown>;

export interface WixSort {
  fieldName: string;
  order: 'ASC' | 'DESC';
}

export function toSortKeys(sort: readonly WixSort[] = []): SortKey[] {
  return sort.map((s) => ({ field: s.fieldName, desc: s.order === 'DESC' }));
}

/** Every item the filter matches, in the effective order of `sort` (then `_id` ASC). */
export function referenceQuery(
  items: readonly Item[],
  filter: unknown,
  sort: readonly WixSort[] = [],
): Item[] {
  const node = parseFilter(filter);
  return items.filter((item) => matches(node, item)).sort(comparator(effectiveSort(toSortKeys(sort))));
}

export function referenceCount(items: readonly Item[], filter: unknown): number {
  const node = parseFilter(filter);
  return items.filter((item) => matches(node, item)).length;
}

export function idsOf(items: readonly { _id?: unknown }[]): string[] {
  return items.map((i) => String(i._id));
}

/** Whether a single item matches a filter, through the parser and the evaluator. */
export function matchesFilter(item: Item, filter: unknown): boolean {
  return matches(parseFilter(filter), item);
}

/**
 * True when some parenthesised group's whole content is itself one group, `((x))`: DynamoDB refuses
 * such expressions ("The expression has redundant parentheses").
 */
export function hasRedundantParentheses(expr: string): boolean {
  const stack: number[] = [];
  const close = new Map<number, number>();
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '(') stack.push(i);
    else if (expr[i] === ')') close.set(stack.pop()!, i);
  }
  for (const [open, end] of close) {
    if (expr[open + 1] === '(' && close.get(open + 1) === end - 1) return true;
  }
  return false;
}
