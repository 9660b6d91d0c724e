/**
 * List operands (`$in`, `$hasSome`, `$hasAll`) as sets of canonical keys, built once per operand:
 * a test is then one key per field value and a hash lookup, instead of comparing every field value
 * with every listed value (1,000 listed values against an array field of 20,000 elements was
 * 20 million deep comparisons per item). canonicalKey(a) === canonicalKey(b) exactly when
 * deepEqual(a, b) for stored values.
 */
import { canonicalKey } from '../values';

const sets = new WeakMap<readonly unknown[], ReadonlySet<string>>();

export function valueSet(values: readonly unknown[]): ReadonlySet<string> {
  let set = sets.get(values);
  if (!set) sets.set(values, (set = new Set(values.map(canonicalKey))));
  return set;
}

/** Whether `value` equals one of the listed values. */
export function listHas(values: readonly unknown[], value: unknown): boolean {
  return valueSet(values).has(canonicalKey(value));
}
