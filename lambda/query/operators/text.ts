/**
 * `$contains`, `$startsWith`, `$endsWith`: case-insensitive text matching, as Wix defines them.
 * DynamoDB's string functions are case-sensitive, so DynamoDB only narrows to string values and the
 * match itself runs in memory.
 */
import type { FieldOp } from '../ast';
import type { QueryOperator } from '../../model/operators';
import { text } from './operand';
import type { OperatorDef } from './types';

function textOp(
  op: FieldOp,
  capability: QueryOperator,
  holds: (value: string, operand: string) => boolean,
): OperatorDef {
  return {
    op,
    capability,
    normalise: text,
    test(value, present, operand) {
      return (
        present && typeof value === 'string' && holds(value.toLowerCase(), (operand as string).toLowerCase())
      );
    },
    express(field, _operand, ph) {
      if (field === '_id') return undefined;
      const path = ph.path(field);
      return { expr: `attribute_type(${path}, ${ph.value('S')})`, exact: false };
    },
  };
}

export const contains = textOp('$contains', 'CONTAINS', (v, o) => v.includes(o));
export const startsWith = textOp('$startsWith', 'STARTS_WITH', (v, o) => v.startsWith(o));
export const endsWith = textOp('$endsWith', 'ENDS_WITH', (v, o) => v.endsWith(o));
