/** `$gt`, `$gte`, `$lt`, `$lte`: ordered comparison between values of the same kind only. */
import type { FieldOp } from '../ast';
import type { QueryOperator } from '../../model/operators';
import { compareSameKind, kindOf } from '../values';
import { comparable } from './operand';
import type { OperatorDef } from './types';

function ordered(
  op: FieldOp,
  capability: QueryOperator,
  symbol: string,
  holds: (c: number) => boolean,
): OperatorDef {
  return {
    op,
    capability,
    normalise: comparable,
    test(value, present, operand) {
      if (!present) return false;
      const c = compareSameKind(value, operand);
      return c !== undefined && holds(c);
    },
    express(field, operand, ph) {
      if (field === '_id') return undefined;
      const kind = kindOf(operand);
      if (kind === 'string' || kind === 'number')
        return { expr: `${ph.path(field)} ${symbol} ${ph.value(operand)}`, exact: true };
      if (kind === 'date') {
        return {
          expr: `${ph.path(field, '$date')} ${symbol} ${ph.value((operand as { $date: string }).$date)}`,
          exact: false,
        };
      }
      return undefined; // booleans: DynamoDB does not order them
    },
  };
}

export const gt = ordered('$gt', 'GT', '>', (c) => c > 0);
export const gte = ordered('$gte', 'GTE', '>=', (c) => c >= 0);
export const lt = ordered('$lt', 'LT', '<', (c) => c < 0);
export const lte = ordered('$lte', 'LTE', '<=', (c) => c <= 0);
