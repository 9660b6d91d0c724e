/** `$hasAll`: an array field holds every value (a scalar field counts as a one-element array). Empty list: nothing. */
import { canonicalKey } from '../values';
import { list, pushableScalars } from './operand';
import type { OperatorDef } from './types';
import { valueSet } from './valueSet';

export const hasAll: OperatorDef = {
  op: '$hasAll',
  capability: 'HAS_ALL',
  normalise: list,
  test(value, present, operand) {
    const wanted = operand as unknown[];
    if (!present || wanted.length === 0) return false;
    const have = Array.isArray(value) ? value : [value];
    const held = valueSet(have);
    return wanted.every((w) => held.has(canonicalKey(w)));
  },
  express(field, operand, ph) {
    const values = operand as unknown[];
    if (field === '_id' || !pushableScalars(values)) return undefined;
    const path = ph.path(field);
    const phs = values.map((v) => ph.value(v));
    const all = phs.map((v) => `contains(${path}, ${v})`).join(' AND ');
    // The scalar case (field equal to every value) is covered by the IN superset; memory decides.
    return {
      expr: `((attribute_type(${path}, ${ph.value('L')}) AND ${all}) OR ${path} IN (${phs.join(', ')}))`,
      exact: false,
    };
  },
};
