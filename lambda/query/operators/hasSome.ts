/** `$hasSome`: a scalar field equals one of the values, or an array field holds one of them. Empty list: nothing. */
import { deepEqual } from '../values';
import { list, pushableScalars } from './operand';
import type { OperatorDef } from './types';

export const hasSome: OperatorDef = {
  op: '$hasSome',
  capability: 'HAS_SOME',
  normalise: list,
  test(value, present, operand) {
    if (!present) return false;
    const wanted = operand as unknown[];
    const have = Array.isArray(value) ? value : [value];
    return have.some((h) => wanted.some((w) => deepEqual(h, w)));
  },
  express(field, operand, ph) {
    const values = operand as unknown[];
    if (field === '_id' || !pushableScalars(values)) return undefined;
    const path = ph.path(field);
    const phs = values.map((v) => ph.value(v));
    const inList = `${path} IN (${phs.join(', ')})`;
    const inArray = phs.map((v) => `contains(${path}, ${v})`).join(' OR ');
    return {
      expr: `(${inList} OR (attribute_type(${path}, ${ph.value('L')}) AND (${inArray})))`,
      exact: true,
    };
  },
};
