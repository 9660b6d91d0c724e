/** `$eq` (and shorthand `{field: value}`): deep equality; `null` means empty or missing. */
import { deepEqual, kindOf } from '../values';
import { anyValue } from './operand';
import type { OperatorDef } from './types';

export const eq: OperatorDef = {
  op: '$eq',
  capability: 'EQ',
  normalise: anyValue,
  test(value, present, operand) {
    if (operand === null) return !present || value === null;
    return present && deepEqual(value, operand);
  },
  express(field, operand, ph) {
    if (field === '_id') return undefined; // a key attribute: handled by the planner
    const path = ph.path(field);
    if (operand === null)
      return {
        expr: `(attribute_not_exists(${path}) OR attribute_type(${path}, ${ph.value('NULL')}))`,
        exact: true,
      };
    const kind = kindOf(operand);
    if (kind === 'string' || kind === 'number' || kind === 'boolean')
      return { expr: `${path} = ${ph.value(operand)}`, exact: true };
    if (kind === 'date') {
      return {
        expr: `${ph.path(field, '$date')} = ${ph.value((operand as { $date: string }).$date)}`,
        exact: false,
      };
    }
    return undefined; // documents and lists: compared in memory
  },
};
