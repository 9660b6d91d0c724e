/** The in-memory evaluator: the reference semantics of the whole grammar (tests compare DynamoDB with it). */
import type { Node } from './ast';
import { OPERATORS } from './operators';
import { NO_TICK, type Tick } from './sort';
import { getPath } from './values';

/**
 * Whether `item` matches. `tick` is called once per condition tested, so a filter of thousands of
 * conditions over one large item still stops when the request's time is spent.
 */
export function matches(node: Node, item: Record<string, unknown>, tick: Tick = NO_TICK): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.children.every((c) => matches(c, item, tick));
    case 'or':
      return node.children.some((c) => matches(c, item, tick));
    case 'not':
      return !matches(node.child, item, tick);
    case 'cmp': {
      tick();
      const { present, value } = getPath(item, node.field);
      return OPERATORS[node.op].test(value, present, node.operand);
    }
  }
}
