/**
 * Value semantics shared by the evaluator, the sorter and the DynamoDB compiler: kinds, equality and
 * ordering. Strings order by Unicode code point, which is DynamoDB's UTF-8 byte order, so in-memory
 * results agree with key order and with DynamoDB comparisons.
 */
import { isDateWrapper, setOwn } from '../store/values';

export type Kind = 'missing' | 'null' | 'boolean' | 'number' | 'string' | 'date' | 'array' | 'object';

export function kindOf(v: unknown, present = true): Kind {
  if (!present || v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (isDateWrapper(v)) return 'date';
  return 'object';
}

/** Code point order (= UTF-8 byte order, DynamoDB's). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (U+D800..DFFF) encode code points above U+FFFF, which sort after all BMP chars.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Ordered comparison of two values of the same orderable kind; undefined when they cannot be compared. */
export function compareSameKind(a: unknown, b: unknown): number | undefined {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return undefined;
  switch (ka) {
    case 'number':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'string':
      return compareStrings(a as string, b as string);
    case 'date':
      return compareStrings((a as { $date: string }).$date, (b as { $date: string }).$date);
    case 'boolean':
      return a === b ? 0 : a ? 1 : -1;
    default:
      return undefined;
  }
}

const RANK: Record<Kind, number> = {
  missing: 0,
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
  date: 4,
  array: 5,
  object: 6,
};

/**
 * A value reduced once to what sorting compares: its rank, the value itself, and for documents and
 * lists their canonical text. Sorts compute it once per row, so a comparison never walks a path or
 * rebuilds canonical JSON (a 1,000-row sort on an 80 KB document field would otherwise rebuild it
 * some 20,000 times).
 */
export interface SortValue {
  readonly rank: number;
  readonly value: unknown;
  readonly text: string | undefined;
}

export function sortValue(v: unknown): SortValue {
  const kind = kindOf(v);
  return {
    rank: RANK[kind],
    value: v,
    text: kind === 'array' || kind === 'object' ? canonical(v) : undefined,
  };
}

export function compareSortValues(a: SortValue, b: SortValue): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  const same = compareSameKind(a.value, b.value);
  if (same !== undefined) return same;
  if (a.text !== undefined && b.text !== undefined) return compareStrings(a.text, b.text);
  return 0;
}

/** A total order over all values, for sorting: missing/null first, then by kind, then by value. */
export function compareForSort(a: unknown, b: unknown): number {
  return compareSortValues(sortValue(a), sortValue(b));
}

/** A canonical JSON text (object keys sorted), for deterministic ordering and hashing of documents. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The canonical text of a value the caller will ask about again (an item's field, tested by several
 * filter conditions): documents and lists are remembered per object, weakly, so the text is built once.
 * Two values have the same key exactly when deepEqual holds.
 */
const canonicalCache = new WeakMap<object, string>();
export function canonicalKey(v: unknown): string {
  if (v === null || typeof v !== 'object') return canonical(v);
  let text = canonicalCache.get(v);
  if (text === undefined) canonicalCache.set(v, (text = canonical(v)));
  return text;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  if (ka === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    return x.length === y.length && x.every((v, i) => deepEqual(v, y[i]));
  }
  if (ka === 'object' || ka === 'date') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    return kx.every((k) => hasOwn(y, k) && deepEqual(x[k], y[k]));
  }
  return false;
}

/**
 * The one own-property test every caller-chosen key goes through: `constructor`, `__proto__` or
 * `toString` are only ever a document's own fields, never something inherited from a prototype.
 */
export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** The value at a dotted path: present = the last key exists (its value may be null). Own keys only. */
export function getPath(item: Record<string, unknown>, path: string): { present: boolean; value: unknown } {
  let cur: unknown = item;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur))
      return { present: false, value: undefined };
    if (!hasOwn(cur, part)) return { present: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { present: true, value: cur };
}

/**
 * Sets a value at a dotted path, creating nested objects (a projection of `address.city`, a group row
 * keyed by it). Reads and writes own properties only: `__proto__.x` creates an own field named
 * `__proto__` holding `{x}`, and never reaches Object.prototype.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    const next = hasOwn(cur, part) ? cur[part] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) setOwn(cur, part, {});
    cur = cur[part] as Record<string, unknown>;
  }
  setOwn(cur, parts[parts.length - 1]!, value);
}
