/** `$hasSome`: a scalar field equals one of the values, or an array field holds one of them. Empty list: nothing. */
import { canonicalKey } from '../values';
import { list, pushableScalars } from './operand';
import type { OperatorDef } from './types';
import { listHas, valueSet } from './valueSet';

export const hasSome: OperatorDef = {
  op: '$hasSome',
  capability: 'HAS_SOME',
  normalise: list,
  test(value, present, operand) {
    if (!present) return false;
    const wanted = operand as unknown[];
    // an array field's own key set is built once per item and reused by every condition on it
    if (Array.isArray(value)) {
      const held = valueSet(value);
      return wanted.some((w) => held.has(canonicalKey(w)));
    }
    return listHas(wanted, value);
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
