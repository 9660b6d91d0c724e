/**
 * Compiles a Node into a DynamoDB FilterExpression that is exact or a superset of the evaluator's
 * matches (never a subset), so that evaluating the full filter in memory afterwards is always correct
 * and DynamoDB drops as much as it soundly can.
 */
import { isStorableNumber } from '../store/values';
import type { Node } from './ast';
import { OPERATORS } from './operators';
import type { Expressed, Placeholders } from './placeholders';

/** undefined = no restriction (TRUE). */
export type Compiled = Expressed | undefined;

/** Document paths deeper than this are refused by DynamoDB. */
const MAX_PATH_DEPTH = 32;

/** True when `e` is already one parenthesised group: DynamoDB refuses redundant parentheses. */
function enclosed(e: string): boolean {
  if (!e.startsWith('(') || !e.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === '(') depth++;
    else if (e[i] === ')' && --depth === 0) return i === e.length - 1;
  }
  return false;
}

export function paren(e: string): string {
  return enclosed(e) ? e : `(${e})`;
}

/** Numbers DynamoDB cannot represent never go into an expression (memory compares them). */
function storableOperand(v: unknown): boolean {
  if (typeof v === 'number') return isStorableNumber(v);
  if (Array.isArray(v)) return v.every(storableOperand);
  if (v !== null && typeof v === 'object') return Object.values(v).every(storableOperand);
  return true;
}

export function express(node: Node, ph: Placeholders): { expr: string | undefined; exact: boolean } {
  switch (node.kind) {
    case 'all':
      return { expr: undefined, exact: true };
    case 'cmp': {
      // `_id` is the sort key (never allowed in a FilterExpression); paths under it hold nothing.
      const keyPath = node.field === '_id' || node.field.startsWith('_id.');
      if (
        keyPath ||
        node.field.split('.').length >= MAX_PATH_DEPTH - 1 ||
        !storableOperand(node.operand) ||
        !ph.layout.accepts(node.field, node.operand)
      ) {
        return { expr: undefined, exact: false };
      }
      const out = OPERATORS[node.op].express(node.field, node.operand, ph);
      return out ? { expr: out.expr, exact: out.exact } : { expr: undefined, exact: false };
    }
    case 'and': {
      const parts = node.children.map((c) => express(c, ph));
      const exprs = parts.flatMap((p) => (p.expr ? [p.expr] : []));
      return {
        expr: exprs.length === 0 ? undefined : exprs.length === 1 ? exprs[0] : exprs.map(paren).join(' AND '),
        exact: parts.every((p) => p.exact),
      };
    }
    case 'or': {
      if (node.children.length === 0) return { expr: undefined, exact: false }; // matches nothing: memory decides
      const parts = node.children.map((c) => express(c, ph));
      if (parts.some((p) => !p.expr)) return { expr: undefined, exact: false };
      return { expr: parts.map((p) => paren(p.expr!)).join(' OR '), exact: parts.every((p) => p.exact) };
    }
    case 'not': {
      const inner = express(node.child, ph);
      // NOT of a superset would be a subset: only exact predicates may be negated in DynamoDB.
      if (!inner.exact || !inner.expr) return { expr: undefined, exact: false };
      return { expr: `NOT ${paren(inner.expr)}`, exact: true };
    }
  }
}
