/** `$exists`: the field is present (true) or absent (false); a null value is present. */
import { bool } from './operand';
import type { OperatorDef } from './types';

export const exists: OperatorDef = {
  op: '$exists',
  capability: 'EXISTS',
  normalise: bool,
  test(_value, present, operand) {
    return present === operand;
  },
  express(field, operand, ph) {
    if (field === '_id') return undefined;
    return {
      expr: `${operand ? 'attribute_exists' : 'attribute_not_exists'}(${ph.path(field)})`,
      exact: true,
    };
  },
};
