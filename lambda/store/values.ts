/**
 * What DynamoDB can hold, checked before a write so that a bad value is a clear per-item error and
 * never a 500: nesting depth, number range, empty map keys. `{$date}` wrappers at any depth are
 * normalised to ISO-8601 with milliseconds, so stored dates compare and sort as strings.
 */

import { isObject as isPlainObject } from '../shape';

/** DynamoDB allows 32 levels; `d` itself is one. */
export const MAX_DEPTH = 31;
/**
 * DynamoDB's range is 1E-130 to 9.9999999999999999999999999999999999999E+125. That upper bound is
 * not a double: written as a literal it rounds to 1e126 itself, so the test is `>= 1e126` (every
 * double below it prints with at most 17 digits, which DynamoDB accepts).
 */
const TOO_LARGE = 1e126;
const MIN_MAGNITUDE = 1e-130;
const ISO_PREFIX = /^\d{4}-\d{2}-\d{2}/;

export class ValueError extends Error {
  override readonly name = 'ValueError';
  constructor(
    readonly fieldPath: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether DynamoDB can hold `n` (finite, 0, or a magnitude from 1E-130 to below 1E+126). */
export function isStorableNumber(n: number): boolean {
  if (!Number.isFinite(n)) return false;
  const abs = Math.abs(n);
  return abs === 0 || (abs >= MIN_MAGNITUDE && abs < TOO_LARGE);
}

/** Sets an own property even for keys like "__proto__" (no prototype pollution). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True for `{$date: "..."}` exactly. */
export function isDateWrapper(v: unknown): v is { $date: string } {
  return isPlainObject(v) && typeof v.$date === 'string' && Object.keys(v).length === 1;
}

/** Normalises a date string to `YYYY-MM-DDTHH:mm:ss.sssZ`, or undefined when it is not a date. */
export function normaliseDate(value: string): string | undefined {
  if (!ISO_PREFIX.test(value)) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return undefined;
  return new Date(t).toISOString();
}

function joinPath(base: string, key: string | number): string {
  return typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;
}

/** Returns a storable copy of `value`, or throws ValueError naming the offending path. */
export function toStorable(value: unknown, path = '', depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError(path, `${path}: only finite numbers can be stored`);
    if (!isStorableNumber(value)) {
      throw new ValueError(
        path,
        `${path}: DynamoDB stores numbers between 1E-130 and 9.99E+125 in magnitude`,
      );
    }
    return Object.is(value, -0) ? 0 : value;
  }
  if (depth >= MAX_DEPTH) {
    throw new ValueError(path, `${path}: values may be nested at most ${MAX_DEPTH} levels deep`);
  }
  if (Array.isArray(value)) return value.map((v, i) => toStorable(v, joinPath(path, i), depth + 1));
  if (isPlainObject(value)) {
    if (isDateWrapper(value)) {
      const iso = normaliseDate(value.$date);
      if (!iso)
        throw new ValueError(
          path,
          `${path}: ${JSON.stringify(value.$date).slice(0, 80)} is not an ISO-8601 date`,
        );
      return { $date: iso };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.length === 0) throw new ValueError(path, `${path || 'item'}: an object key may not be empty`);
      if (v === undefined) continue;
      setOwn(out, k, toStorable(v, joinPath(path, k), depth + 1));
    }
    return out;
  }
  throw new ValueError(path, `${path}: unsupported value`);
}
