/**
 * Compiles a Node into a DynamoDB FilterExpression that is exact or a superset of the evaluator's
 * matches (never a subset), so that evaluating the full filter in memory afterwards is always correct
 * and DynamoDB drops as much as it soundly can.
 */
import type { Node } from './ast';
import { OPERATORS } from './operators';
import type { Expressed, Placeholders } from './placeholders';

/** undefined = no restriction (TRUE). */
export type Compiled = Expressed | undefined;

export function express(node: Node, ph: Placeholders): { expr: string | undefined; exact: boolean } {
  switch (node.kind) {
    case 'all':
      return { expr: undefined, exact: true };
    case 'cmp': {
      const out = OPERATORS[node.op].express(node.field, node.operand, ph);
      return out ? { expr: out.expr, exact: out.exact } : { expr: undefined, exact: false };
    }
    case 'and': {
      const parts = node.children.map((c) => express(c, ph));
      const exprs = parts.flatMap((p) => (p.expr ? [p.expr] : []));
      return {
        expr:
          exprs.length === 0
            ? undefined
            : exprs.length === 1
              ? exprs[0]
              : exprs.map((e) => `(${e})`).join(' AND '),
        exact: parts.every((p) => p.exact),
      };
    }
    case 'or': {
      if (node.children.length === 0) return { expr: undefined, exact: false }; // matches nothing: memory decides
      const parts = node.children.map((c) => express(c, ph));
      if (parts.some((p) => !p.expr)) return { expr: undefined, exact: false };
      return { expr: parts.map((p) => `(${p.expr})`).join(' OR '), exact: parts.every((p) => p.exact) };
    }
    case 'not': {
      const inner = express(node.child, ph);
      // NOT of a superset would be a subset: only exact predicates may be negated in DynamoDB.
      if (!inner.exact || !inner.expr) return { expr: undefined, exact: false };
      return { expr: `NOT (${inner.expr})`, exact: true };
    }
  }
}
