/** The in-memory evaluator: the reference semantics of the whole grammar (tests compare DynamoDB with it). */
import type { Node } from './ast';
import { OPERATORS } from './operators';
import { getPath } from './values';

export function matches(node: Node, item: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.children.every((c) => matches(c, item));
    case 'or':
      return node.children.some((c) => matches(c, item));
    case 'not':
      return !matches(node.child, item);
    case 'cmp': {
      const { present, value } = getPath(item, node.field);
      return OPERATORS[node.op].test(value, present, node.operand);
    }
  }
}
