/** Operand checks shared by the operators. */
import { isDateWrapper, normaliseDate } from '../../store/values';
import { OperandError } from './types';
import { isObject as isPlainObject } from '../../shape';

export const MAX_LIST = 1000;
/** Lists longer than this are matched in memory, keeping expressions well under DynamoDB's 4 KB. */
export const MAX_PUSHED_LIST = 40;

/** Any JSON value; `{$date}` wrappers (at any depth) normalised to ISO with milliseconds. */
export function anyValue(v: unknown, depth = 0): unknown {
  if (depth > 32) throw new OperandError('the value is nested too deeply');
  if (isDateWrapper(v)) {
    const iso = normaliseDate(v.$date);
    if (!iso) throw new OperandError(`${JSON.stringify(v.$date).slice(0, 60)} is not an ISO-8601 date`);
    return { $date: iso };
  }
  if (Array.isArray(v)) return v.map((x) => anyValue(x, depth + 1));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, {
        value: anyValue(x, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new OperandError('numbers must be finite');
  if (v === undefined) throw new OperandError('a value is required');
  return v;
}

/** string, number, boolean or {$date}: what ordered comparisons accept. */
export function comparable(v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || isDateWrapper(v))
    return anyValue(v);
  throw new OperandError('expects a string, number, boolean or {"$date": ...}');
}

export function list(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new OperandError('expects an array');
  if (v.length > MAX_LIST) throw new OperandError(`expects at most ${MAX_LIST} values`);
  return v.map((x) => anyValue(x));
}

export function text(v: unknown): string {
  if (typeof v !== 'string') throw new OperandError('expects a string');
  return v;
}

export function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new OperandError('expects true or false');
  return v;
}

/** True when every value is a string or a number (DynamoDB IN / contains are then exact). */
export function pushableScalars(values: unknown[]): boolean {
  if (values.length === 0 || values.length > MAX_PUSHED_LIST) return false;
  return values.every((v) => typeof v === 'string' || typeof v === 'number');
}
