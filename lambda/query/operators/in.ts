/** `$in`: the field equals one of the values. An empty list matches nothing. */
import { list, pushableScalars } from './operand';
import type { OperatorDef } from './types';
import { listHas } from './valueSet';

export const inOp: OperatorDef = {
  op: '$in',
  capability: 'HAS_SOME',
  normalise: list,
  test(value, present, operand) {
    return present && listHas(operand as unknown[], value);
  },
  express(field, operand, ph) {
    const values = operand as unknown[];
    if (field === '_id' || !pushableScalars(values)) return undefined;
    return { expr: `${ph.path(field)} IN (${values.map((v) => ph.value(v)).join(', ')})`, exact: true };
  },
};
