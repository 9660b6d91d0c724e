/** `$isEmpty` (generic API query language): true = missing or null, false = has a value. */
import { bool } from './operand';
import type { OperatorDef } from './types';

export const isEmpty: OperatorDef = {
  op: '$isEmpty',
  capability: 'EQ',
  normalise: bool,
  test(value, present, operand) {
    const empty = !present || value === null;
    return empty === operand;
  },
  express(field, operand, ph) {
    if (field === '_id') return undefined;
    const path = ph.path(field);
    const empty = `(attribute_not_exists(${path}) OR attribute_type(${path}, ${ph.value('NULL')}))`;
    return { expr: operand ? empty : `NOT ${empty}`, exact: true };
  },
};
