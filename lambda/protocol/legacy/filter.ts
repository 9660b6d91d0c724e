/**
 * Legacy filters -> the one internal filter (the Wix/V3 filter JSON that query/parse.ts accepts).
 *
 * Both dialects are accepted on every request, whatever /provision announced (wix-legacy notes §2:
 * they are unambiguous, a v1 node always has an `operator` key and a v2 node never does):
 *
 * - v1 tree (§8.1): `{operator, fieldName, value}` leaves (optional `kind: "filter"`), `$and`/`$or`
 *   with an array `value`, `$not` with a one-element array or an object.
 * - v2 Mongo-like (§8.2): `{field: {$op: operand}}`, `$and`/`$or` arrays, `$not` array-of-one or
 *   object; several keys in one object are AND and a bare value is `$eq` (the robust reading the
 *   notes recommend).
 *
 * Empty filters (`null`, missing, `""`, `{}`, `[]`) and empty `$and`/`$or` lists match everything
 * (§8.1, §8.2: what the reference adaptors do). Operators are the legacy set (§8.1, §8.3):
 * `$eq $ne $lt $lte $gt $gte $hasSome $contains $startsWith $endsWith $urlized $matches`, plus
 * `$isEmpty`/`$isNotEmpty` in case Wix sends the operations it advertises (§11); anything else is a
 * 400 "Unrecognized operator" (§8.2). `$urlized` takes the words of a URL slug (an array, §8.3) or
 * the slug itself. Dates are `{"$date": ISO}` in both dialects (§7.2); a bare ISO string is taken
 * as a date only on `_createdDate`/`_updatedDate`, whose type is known without a read (elsewhere it
 * could be a text value that merely looks like a date, §16.9).
 */
import { ValidationError } from '../../errors';
import { preview } from '../../text';
import { MAX_DEPTH } from '../../query/parse';
import { isObject } from '../../shape';

/** A filter in the internal (V3) syntax; `{}` matches everything. */
export type Filter = Record<string, unknown>;

const LEAF_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$hasSome',
  '$contains',
  '$startsWith',
  '$endsWith',
  '$urlized',
  '$matches',
  '$isEmpty',
  '$isNotEmpty',
]);
const DATE_FIELDS = new Set(['_createdDate', '_updatedDate']);
/** What the v1 reference adaptor takes for a date (notes §7.2); the query layer normalises it. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*)?(Z|[+-][\d:]*)?$/;

function isDateWrapper(v: Record<string, unknown>): boolean {
  return typeof v.$date === 'string' && Object.keys(v).length === 1;
}

function fail(at: string, message: string, rejected?: unknown): never {
  const rejectedValue = rejected === undefined ? undefined : JSON.stringify(rejected)?.slice(0, 200);
  throw new ValidationError(`invalid filter at ${at}: ${message}`, [
    { fieldPath: at, message, ...(rejectedValue !== undefined ? { rejectedValue } : {}) },
  ]);
}

const isAll = (f: Filter) => Object.keys(f).length === 0;

function isEmptyFilter(raw: unknown): boolean {
  return (
    raw === undefined ||
    raw === null ||
    raw === '' ||
    (Array.isArray(raw) && raw.length === 0) ||
    (isObject(raw) && Object.keys(raw).length === 0)
  );
}

/** True for a v1 node: it names its operator. */
function isV1Node(raw: Record<string, unknown>): boolean {
  return Object.prototype.hasOwnProperty.call(raw, 'operator');
}

/** Translates a legacy filter of either dialect; `{}` when it matches everything. */
export function translateFilter(raw: unknown, at = 'filter'): Filter {
  return node(raw, at, 0);
}

/** Only the v1 dialect (tests, and callers that know what they hold). */
export function translateV1(raw: unknown, at = 'filter'): Filter {
  if (isEmptyFilter(raw)) return {};
  if (!isObject(raw) || !isV1Node(raw)) fail(at, 'a v1 filter node is {operator, fieldName, value}', raw);
  return v1(raw, at, 0);
}

/** Only the v2 dialect. */
export function translateV2(raw: unknown, at = 'filter'): Filter {
  if (isEmptyFilter(raw)) return {};
  if (isObject(raw) && isV1Node(raw)) fail(at, 'operator is not a v2 filter key', raw);
  return v2(raw, at, 0);
}

function node(raw: unknown, at: string, depth: number): Filter {
  if (depth > MAX_DEPTH) fail(at, `filters may be nested at most ${MAX_DEPTH} levels deep`);
  if (isEmptyFilter(raw)) return {};
  if (isObject(raw) && isV1Node(raw)) return v1(raw, at, depth);
  return v2(raw, at, depth);
}

function logical(op: '$and' | '$or', children: Filter[]): Filter {
  if (op === '$and') {
    const real = children.filter((c) => !isAll(c));
    if (real.length === 0) return {};
    return real.length === 1 ? real[0]! : { $and: real };
  }
  if (children.length === 0 || children.some(isAll)) return {};
  return children.length === 1 ? children[0]! : { $or: children };
}

function notOf(value: unknown, at: string, depth: number): Filter {
  let inner = value;
  if (Array.isArray(value)) {
    if (value.length !== 1) fail(at, '$not expects one filter (an object or an array of one)', value);
    inner = value[0];
  }
  // {$not: {}} matches nothing, as "not everything" should.
  return { $not: node(inner, `${at}[0]`, depth + 1) };
}

function v1(raw: Record<string, unknown>, at: string, depth: number): Filter {
  const op = raw.operator;
  if (op === '$and' || op === '$or') {
    const value = raw.value ?? [];
    if (!Array.isArray(value)) fail(`${at}.value`, `${op} expects an array of filters`, value);
    return logical(
      op,
      value.map((child, i) => node(child, `${at}.value[${i}]`, depth + 1)),
    );
  }
  if (op === '$not') return notOf(raw.value, `${at}.value`, depth);
  if (typeof op !== 'string' || !LEAF_OPERATORS.has(op))
    fail(`${at}.operator`, `Unrecognized operator ${preview(op, 100)}`, op);
  const field = raw.fieldName;
  if (typeof field !== 'string' || field.length === 0)
    fail(`${at}.fieldName`, 'must be a non-empty string', field);
  return leaf(field, op, raw.value, at);
}

function v2(raw: unknown, at: string, depth: number): Filter {
  if (!isObject(raw)) fail(at, 'a filter must be an object', raw);
  const parts: Filter[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const keyAt = `${at}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) fail(keyAt, `${key} expects an array of filters`, value);
      parts.push(
        logical(
          key,
          value.map((child, i) => node(child, `${keyAt}[${i}]`, depth + 1)),
        ),
      );
    } else if (key === '$not') {
      parts.push(notOf(value, keyAt, depth));
    } else if (key.startsWith('$')) {
      fail(keyAt, `Unrecognized operator ${key}`);
    } else if (isOperatorObject(value)) {
      if (!Object.keys(value).every((k) => k.startsWith('$')))
        fail(keyAt, 'operators and plain keys cannot be mixed in one object', value);
      for (const [op, operand] of Object.entries(value)) {
        if (!LEAF_OPERATORS.has(op)) fail(`${keyAt}.${op}`, `Unrecognized operator ${op}`);
        parts.push(leaf(key, op, operand, `${keyAt}.${op}`));
      }
    } else {
      parts.push(leaf(key, '$eq', value, keyAt));
    }
  }
  return logical('$and', parts);
}

/** `{$gt: 1}` is an operator object; `{$date: ...}` and plain objects are values. */
function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (!isObject(v) || isDateWrapper(v)) return false;
  return Object.keys(v).some((k) => k.startsWith('$'));
}

function leaf(field: string, op: string, operand: unknown, at: string): Filter {
  let value = operand;
  if (op === '$urlized') {
    if (Array.isArray(value)) {
      if (value.some((w) => typeof w !== 'string')) fail(at, '$urlized expects words (strings)', value);
      value = value.join('-');
    }
  } else if (op === '$isEmpty' || op === '$isNotEmpty') {
    const flag = value === undefined || value === null ? true : value;
    if (typeof flag !== 'boolean') fail(at, `${op} expects true or false`, value);
    return { [field]: { $isEmpty: op === '$isEmpty' ? flag : !flag } };
  } else if (value === undefined) {
    // v1 `{operator: "$eq", fieldName: "x"}` without a value: compare with null, not "anything".
    value = null;
  } else if (DATE_FIELDS.has(field) && typeof value === 'string' && ISO_DATE.test(value)) {
    value = { $date: value };
  }
  return { [field]: { [op]: value } };
}
