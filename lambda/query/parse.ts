/**
 * Parses and validates a Wix filter into the Node tree.
 *
 * Grammar (wix-v3 protocol notes §4.3): several keys in one object = AND; `$and`/`$or` take arrays;
 * `$not` takes an object or a one-element array, at top level or on a field; `{field: value}` is
 * equality, where `{$date}`, `{$encrypted}` and plain objects are values, never operators;
 * `{field: {$op: operand, ...}}` applies every operator (AND).
 */
import { ValidationError } from '../errors';
import { preview } from '../text';
import type { QueryOperator } from '../model/operators';
import { ALL, type FieldOp, type Node } from './ast';
import { isFieldOperator, NEGATED, OPERATORS } from './operators';
import { OperandError } from './operators/types';
import { jsonSize } from './size';
import { isObject as isPlainObject } from '../shape';

/** Deeper filters are refused (a hostile 1,000-deep filter must not exhaust the stack). */
export const MAX_DEPTH = 32;
/** More than this many comparisons is not a query a site sends. */
export const MAX_PREDICATES = 2000;

/**
 * Bytes, as JSON, that every condition's field path and operand may add up to. Node counts alone do
 * not bound the work: 2,000 conditions of 1,000 values each fit in a 0.45 MB body, and each is tested
 * against every item read. An `_id $in` of 1,000 ids is about 40 KB.
 */
export const MAX_FILTER_BYTES = 64 * 1024;
/** Bytes, as JSON, of one compared value (an operand, or one value of a list operand). */
export const MAX_VALUE_BYTES = 16 * 1024;

/** Tells whether a field may use an operator (from the collection's advertised capabilities). */
export type FieldPolicy = (field: string, capability: QueryOperator) => string | undefined;

export const ALLOW_ALL: FieldPolicy = () => undefined;

interface State {
  predicates: number;
  bytes: number;
  readonly policy: FieldPolicy;
}

function fail(path: string, message: string, rejected?: unknown): never {
  const rejectedValue = rejected === undefined ? undefined : preview(rejected);
  throw new ValidationError(`invalid filter at ${path || 'filter'}: ${message}`, [
    { fieldPath: path || 'filter', message, ...(rejectedValue !== undefined ? { rejectedValue } : {}) },
  ]);
}

export function parseFilter(raw: unknown, policy: FieldPolicy = ALLOW_ALL, path = 'filter'): Node {
  if (raw === undefined || raw === null) return ALL;
  return parseObject(raw, path, 0, { predicates: 0, bytes: 0, policy });
}

function and(children: Node[]): Node {
  const flat = children.filter((c) => c.kind !== 'all');
  if (flat.length === 0) return ALL;
  return flat.length === 1 ? flat[0]! : { kind: 'and', children: flat };
}

function parseObject(raw: unknown, path: string, depth: number, st: State): Node {
  if (depth > MAX_DEPTH) fail(path, `filters may be nested at most ${MAX_DEPTH} levels deep`);
  if (!isPlainObject(raw)) fail(path, 'a filter must be an object', raw);
  const parts: Node[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const at = `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) fail(at, `${key} expects an array of filters`, value);
      const children = value.map((f, i) => parseObject(f, `${at}[${i}]`, depth + 1, st));
      if (key === '$and') parts.push(and(children));
      else if (children.length === 0)
        parts.push({ kind: 'or', children: [] }); // matches nothing
      else parts.push(children.some((c) => c.kind === 'all') ? ALL : { kind: 'or', children });
    } else if (key === '$not') {
      parts.push({ kind: 'not', child: parseObject(unwrapNot(value, at), at, depth + 1, st) });
    } else if (key.startsWith('$')) {
      fail(at, `unknown operator ${key}`);
    } else {
      parts.push(parseField(key, value, at, depth + 1, st));
    }
  }
  return and(parts);
}

function unwrapNot(value: unknown, at: string): unknown {
  if (Array.isArray(value)) {
    if (value.length !== 1) fail(at, '$not expects an object or an array of exactly one filter', value);
    return value[0];
  }
  return value;
}

function checkFieldPath(field: string, at: string): void {
  if (field.length === 0 || field.length > 1024 || field.split('.').some((p) => p.length === 0)) {
    fail(at, 'a field path is non-empty dot-separated keys');
  }
}

/** True when `value` is an operator object: every key a known field operator (or $ne/$nin/$not). */
function isOperatorObject(value: unknown, at: string): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 0) return false;
  const dollar = keys.filter((k) => k.startsWith('$'));
  if (dollar.length === 0) return false; // a plain object value
  if (keys.length === 1 && (keys[0] === '$date' || keys[0] === '$encrypted')) return false;
  if (dollar.includes('$encrypted') || dollar.includes('$date')) return false; // wrapped values
  for (const k of dollar) {
    if (!isFieldOperator(k) && !NEGATED[k] && k !== '$not') fail(`${at}.${k}`, `unknown operator ${k}`);
  }
  if (dollar.length !== keys.length) fail(at, 'operators and plain keys cannot be mixed in one object');
  return true;
}

function parseField(field: string, value: unknown, at: string, depth: number, st: State): Node {
  checkFieldPath(field, at);
  if (depth > MAX_DEPTH) fail(at, `filters may be nested at most ${MAX_DEPTH} levels deep`);
  if (!isOperatorObject(value, at)) return comparison(field, '$eq', 'EQ', value, at, st);
  const parts: Node[] = [];
  for (const [op, operand] of Object.entries(value)) {
    const opAt = `${at}.${op}`;
    if (op === '$not') {
      const inner = unwrapNot(operand, opAt);
      if (!isOperatorObject(inner, opAt)) fail(opAt, '$not on a field expects an operator object', inner);
      parts.push({ kind: 'not', child: parseField(field, inner, opAt, depth + 1, st) });
    } else if (NEGATED[op]) {
      const { op: positive, capability } = NEGATED[op]!;
      parts.push({ kind: 'not', child: comparison(field, positive, capability, operand, opAt, st) });
    } else {
      const def = OPERATORS[op as FieldOp];
      parts.push(comparison(field, def.op, def.capability, operand, opAt, st));
    }
  }
  return and(parts);
}

function comparison(
  field: string,
  op: FieldOp,
  capability: QueryOperator,
  operand: unknown,
  at: string,
  st: State,
): Node {
  if (++st.predicates > MAX_PREDICATES)
    fail('filter', `a filter may hold at most ${MAX_PREDICATES} conditions`);
  const refused = st.policy(field, capability);
  if (refused) fail(at, refused);
  let normalised: unknown;
  try {
    normalised = OPERATORS[op].normalise(operand);
  } catch (err) {
    if (err instanceof OperandError) fail(at, `${op} ${err.message}`, operand);
    throw err;
  }
  checkSize(field, normalised, at, st);
  return { kind: 'cmp', field, op, operand: normalised };
}

function checkSize(field: string, operand: unknown, at: string, st: State): void {
  const values = Array.isArray(operand) ? operand : [operand];
  for (const v of values) {
    const size = jsonSize(v, MAX_VALUE_BYTES);
    if (size > MAX_VALUE_BYTES)
      fail(at, `a compared value may be at most ${MAX_VALUE_BYTES} bytes as JSON (this one is more)`);
    st.bytes += size;
  }
  st.bytes += field.length;
  if (st.bytes > MAX_FILTER_BYTES)
    fail('filter', `a filter's fields and values may add up to at most ${MAX_FILTER_BYTES} bytes as JSON`);
}
