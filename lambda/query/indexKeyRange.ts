/**
 * Which part of an index's key space a filter selects (issue 12 item 5). Pure: from the filter's
 * top-level AND terms on an index's leading fields, the hex sort-key intervals a GSI Query may read.
 *
 * Keys (store/indexKeys.ts) are each field's kind byte then its value bytes, complemented for DESC,
 * cut to MAX_SK_BYTES, as lowercase hex. Every encoded value is prefix-free (fixed-width numbers,
 * terminated strings), so "the field equals v" is "the key starts with v's bytes". Intervals are
 * closed, in hex-string order, and may end in the sentinel `g`: it sorts after every hex digit, so
 * [q, q + 'g'] is exactly the keys that start with q, and q + 'g' is a bound just past all of them.
 * Keys of the ID_SUFFIX_FORMAT end with the item's `_id` after the fields: every bound here is on
 * "starts with" (an equality is a prefix, a strict lower bound sits past every key starting with
 * the operand, an upper one at or past all of them or below all of them), so a suffix after the
 * fields never moves an item across a bound.
 *
 * The intervals only need to select a superset: the filter goes along as a FilterExpression and is
 * re-checked in memory. Where the index cannot bound a condition exactly it bounds a superset
 * (caseInsensitive folding of `$eq`, truncated keys) or not at all (a string range on a folded
 * index, a `$startsWith` with letters on a case-sensitive index: Wix's `$startsWith` ignores case).
 */
import type { IndexRecord } from '../model/collection';
import { MAX_SK_BYTES, valueBytes } from '../store/indexKeys';
import type { Node } from './ast';
import { kindOf } from './values';

/** A closed interval of sort keys (hex, possibly ending in the sentinel `g`). */
export interface KeyInterval {
  readonly lo: string;
  readonly hi: string;
  /**
   * The prefix every key of the interval starts with, when `lo` no longer is it: a `$in` value's
   * interval cut after a cursor position (query/indexResume.ts); a merge orders keys after it.
   */
  readonly prefix?: string;
}

export interface IndexKeyCondition {
  /** Leading index fields fixed by one equality each. */
  readonly equalities: number;
  /** Whether the field after them is bounded too (a range, a prefix or an `$in`). */
  readonly ranged: boolean;
  /**
   * The bounded field is held to a few values (`$eq`/`$in`), each its own interval of whole keys
   * starting with that value: within each, the keys are in the order of the fields after it.
   */
  readonly points: boolean;
  /**
   * Disjoint intervals in ascending key order (reading them in turn reads in key order); empty when
   * no item can match; undefined when the filter bounds none of the index's leading fields.
   */
  readonly intervals: readonly KeyInterval[] | undefined;
}

const SENTINEL = 'g';
/** Longest stored key, in hex characters. */
const MAX_HEX = MAX_SK_BYTES * 2;
/** An `$in` with more distinct values than this is left to the FilterExpression (one Query per value). */
export const MAX_IN_QUERIES = 25;

const HEX_DIGITS = '0123456789abcdef';

function hex(bytes: readonly number[], desc: boolean): string {
  return Buffer.from(desc ? bytes.map((b) => ~b & 0xff) : bytes).toString('hex');
}

/** The keys that start with `q`. */
const startingWith = (q: string): KeyInterval => ({ lo: q, hi: q + SENTINEL });

/** The largest bound below every key that starts with `q` (for a strict upper end). */
export function before(q: string): string {
  const last = q[q.length - 1]!;
  if (last === '0') return q.slice(0, -1);
  return q.slice(0, -1) + HEX_DIGITS[HEX_DIGITS.indexOf(last) - 1]! + SENTINEL;
}

/**
 * A lone surrogate has no UTF-8 form (it is encoded as U+FFFD), so its key neither orders nor
 * prefixes as the evaluator compares it: such operands bound nothing (stored strings never hold one).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Ranges are usable where the key order is the evaluator's order for the operand's kind. */
function orderedKind(operand: unknown, caseInsensitive: boolean): boolean {
  const kind = kindOf(operand);
  // folded keys do not keep code point order
  if (kind === 'string') return !caseInsensitive && !LONE_SURROGATE.test(operand as string);
  return kind === 'number' || kind === 'boolean' || kind === 'date';
}

/**
 * `$startsWith` ignores case in Wix. A case-sensitive index can bound it only when the prefix has no
 * letters (then the only values whose lower case starts with it start with it themselves); ASCII
 * digits and punctuation are the characters for which that is certain.
 */
const CASELESS = /^[\x00-\x40\x5b-\x60\x7b-\x7f]*$/;

/** The intervals one condition on an index field selects, after the key prefix `p`. */
function intervalsOf(
  c: Extract<Node, { kind: 'cmp' }>,
  p: string,
  desc: boolean,
  caseInsensitive: boolean,
): KeyInterval[] | undefined {
  const point = (v: unknown) => p + hex(valueBytes(v, true, caseInsensitive), desc);
  switch (c.op) {
    case '$eq':
      return [startingWith(point(c.operand))];
    case '$in': {
      const keys = [...new Set((c.operand as unknown[]).map(point))].sort();
      if (keys.length > MAX_IN_QUERIES) return undefined;
      return keys.map(startingWith);
    }
    case '$hasSome': {
      // A scalar equal to one of the values (as `$in`), or an array holding one: arrays are keyed
      // by their whole value, so every array key comes along (the band of the array kind byte).
      const keys = [...new Set((c.operand as unknown[]).map(point))];
      if (keys.length + 1 > MAX_IN_QUERIES) return undefined;
      keys.push(p + hex([valueBytes([], true, caseInsensitive)[0]!], desc));
      return keys.sort().map(startingWith);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (!orderedKind(c.operand, caseInsensitive)) return undefined;
      const bytes = valueBytes(c.operand, true, caseInsensitive);
      const band = p + hex([bytes[0]!], desc);
      const q = p + hex(bytes, desc);
      // In key order (after DESC's complement), is the wanted side above or below the operand?
      const above = (c.op === '$gt' || c.op === '$gte') !== desc;
      const inclusive = c.op === '$gte' || c.op === '$lte';
      return [
        above
          ? { lo: inclusive ? q : q + SENTINEL, hi: band + SENTINEL }
          : { lo: band, hi: inclusive ? q + SENTINEL : before(q) },
      ];
    }
    case '$startsWith': {
      const prefix = c.operand as string;
      if ((!caseInsensitive && !CASELESS.test(prefix)) || LONE_SURROGATE.test(prefix)) return undefined;
      const bytes = valueBytes(prefix, true, caseInsensitive).slice(0, -1); // without the terminator
      return [startingWith(p + hex(bytes, desc))];
    }
    default:
      return undefined;
  }
}

function intersect(a: readonly KeyInterval[], b: readonly KeyInterval[]): KeyInterval[] {
  const out: KeyInterval[] = [];
  for (const x of a)
    for (const y of b) {
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ lo, hi });
    }
  return out.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
}

/**
 * Stored keys are cut to MAX_HEX characters, and a cut key is a prefix of the full one, so it sorts
 * at or before it: cutting the lower bound the same way (the cut is monotone) and capping the upper
 * one keeps every item whose full key is inside. Intervals the cut makes overlap are merged, so no
 * item is read twice.
 */
function cut(intervals: readonly KeyInterval[]): KeyInterval[] {
  const out: KeyInterval[] = [];
  for (const { lo, hi } of intervals) {
    const next = {
      lo: lo.slice(0, MAX_HEX),
      hi: hi.length > MAX_HEX ? hi.slice(0, MAX_HEX) + SENTINEL : hi,
    };
    const last = out[out.length - 1];
    if (last && next.lo <= last.hi)
      out[out.length - 1] = { lo: last.lo, hi: next.hi > last.hi ? next.hi : last.hi };
    else out.push(next);
  }
  return out;
}

/** The top-level AND terms, nested ANDs flattened. */
export function conjuncts(node: Node): readonly Node[] {
  if (node.kind === 'and') return node.children.flatMap(conjuncts);
  if (node.kind === 'all') return [];
  return [node];
}

/**
 * The key condition `filter` gives on `index`: equalities on the first k fields make a key prefix,
 * then the conditions on field k + 1 (ranges, `$startsWith`, `$in`, intersected) bound it further.
 */
export function indexKeyCondition(
  index: Pick<IndexRecord, 'fields' | 'caseInsensitive'>,
  filter: Node,
): IndexKeyCondition {
  const terms = conjuncts(filter).filter((n): n is Extract<Node, { kind: 'cmp' }> => n.kind === 'cmp');
  let p = '';
  let equalities = 0;
  for (const field of index.fields) {
    const desc = field.order === 'DESC';
    const mine = terms.filter((t) => t.field === field.path);
    const sets = mine
      .map((t) => intervalsOf(t, p, desc, index.caseInsensitive))
      .filter((s): s is KeyInterval[] => s !== undefined);
    if (sets.length === 0) break;
    const selected = sets.reduce(intersect);
    // One value for this field: it extends the prefix, and the next field may narrow further.
    const only = selected.length === 1 ? selected[0]! : undefined;
    const fixed = mine.some(
      (t) => t.op === '$eq' || (t.op === '$in' && (t.operand as unknown[]).length === 1),
    );
    if (only && fixed && only.hi === only.lo + SENTINEL) {
      p = only.lo;
      equalities += 1;
      continue;
    }
    const used = mine.filter((t) => intervalsOf(t, p, desc, index.caseInsensitive) !== undefined);
    const points =
      used.some((t) => t.op === '$eq' || t.op === '$in') &&
      used.every((t) => t.op !== '$startsWith') &&
      selected.every((r) => r.hi === r.lo + SENTINEL && r.hi.length <= MAX_HEX);
    return { equalities, ranged: true, points, intervals: cut(selected) };
  }
  if (equalities === 0) return { equalities, ranged: false, points: false, intervals: undefined };
  return { equalities, ranged: false, points: false, intervals: cut([startingWith(p)]) };
}
