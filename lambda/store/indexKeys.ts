/**
 * Wix indexes on the table's generic GSI slots: which slots an index may take, and (below) how an
 * item's indexed values become the slot's key attributes.
 *
 * Every slot can hold an index. Slot 1 also serves the reverse-reference path, but only on reference
 * records (partition `RV#...`); item records never carry those attributes, so an index on slot 1
 * lives in partitions of its own and the two never meet.
 */
import { canonical, getPath, kindOf } from '../query/values';
import { encodePart } from './keys';
import { GSI_SLOTS, gsiPk, gsiSk } from './schema';

export const INDEX_SLOTS: readonly number[] = [...GSI_SLOTS];

/** Which of an index's fields and flags shape its keys (a structural subset of IndexRecord). */
export interface IndexKeySpec {
  readonly slot: number;
  readonly token: string;
  readonly caseInsensitive: boolean;
  readonly fields: readonly { readonly path: string; readonly order: 'ASC' | 'DESC' }[];
  /** ID_SUFFIX_FORMAT when the keys end with the item's `_id`; absent on indexes created before. */
  readonly keyFormat?: number;
}

/**
 * The key format whose sort keys end with the item's `_id` (ascending, string-encoded), so items
 * with equal indexed values come in `_id` order. Entries written before carry the fields only:
 * their ties come in no defined order, so only indexes marked with this format serve `_id` order.
 */
export const ID_SUFFIX_FORMAT = 2;

/** Whether `index`'s keys end with the item's `_id`. */
export const hasIdSuffix = (index: Pick<IndexKeySpec, 'keyFormat'>): boolean =>
  index.keyFormat === ID_SUFFIX_FORMAT;

/** The collection generation whose items an index covers: part of every slot partition key. */
export interface IndexScope {
  readonly tenant: string;
  readonly collectionId: string;
  readonly generation: string;
}

/**
 * The slot's partition key: one partition per (tenant, collection, generation, index). With the
 * generation inside, truncate and collection delete stay O(1): the next generation's items land in
 * a fresh partition and the old one is purged with its items.
 */
export function indexPk(scope: IndexScope, index: Pick<IndexKeySpec, 'token'>): string {
  return `X#${encodePart(scope.tenant)}#${encodePart(scope.collectionId)}#${scope.generation}#${index.token}`;
}

/**
 * Longest encoded sort key, in bytes before hex (DynamoDB allows 1,024 bytes for a sort key; hex
 * doubles). Longer tuples are cut: a prefix of an order-preserving key still orders (never
 * reversing two items), so the index answers a superset that the in-memory re-check narrows.
 */
export const MAX_SK_BYTES = 500;

/** Kind bytes, in the order compareForSort gives kinds: missing and null first, documents last. */
const RANK = {
  missing: 0x10,
  null: 0x10,
  boolean: 0x20,
  number: 0x30,
  string: 0x40,
  date: 0x50,
  array: 0x60,
  object: 0x70,
} as const;

/** IEEE-754 double as 8 bytes whose unsigned order is the numeric order. */
function numberBytes(n: number): number[] {
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(Object.is(n, -0) ? 0 : n);
  if (buf[0]! & 0x80) for (let i = 0; i < 8; i++) buf[i] = ~buf[i]! & 0xff;
  else buf[0] = buf[0]! ^ 0x80;
  return [...buf];
}

/**
 * UTF-8 (whose byte order is code point order, as compareStrings orders) with 0x00 and 0x01
 * escaped, then a 0x00 terminator: so "ab" sorts before "ab\u0000" and "abc", as it should.
 */
function stringBytes(s: string): number[] {
  const out: number[] = [];
  for (const b of Buffer.from(s, 'utf8')) {
    if (b <= 0x01) out.push(0x01, b + 1);
    else out.push(b);
  }
  out.push(0x00);
  return out;
}

/** One indexed value's bytes: kind, then the value; caseInsensitive folds strings to lower case. */
export function valueBytes(value: unknown, present: boolean, caseInsensitive: boolean): number[] {
  const kind = kindOf(value, present);
  const head = RANK[kind];
  switch (kind) {
    case 'missing':
    case 'null':
      return [head];
    case 'boolean':
      return [head, value ? 1 : 0];
    case 'number':
      return [head, ...numberBytes(value as number)];
    case 'string':
      return [head, ...stringBytes(caseInsensitive ? (value as string).toLowerCase() : (value as string))];
    case 'date':
      // Stored dates are normalised ISO strings, which the evaluator and DynamoDB's own filters
      // compare as text: the index must order them the same way to stay exact.
      return [head, ...stringBytes((value as { $date: string }).$date)];
    default:
      return [head, ...stringBytes(canonical(value))];
  }
}

/** The indexed fields' bytes in index order, complemented for DESC (which reverses their order), uncut. */
function fieldsBytes(index: IndexKeySpec, item: Record<string, unknown>): number[] {
  const bytes: number[] = [];
  for (const field of index.fields) {
    const { present, value } = getPath(item, field.path);
    const part = valueBytes(value, present, index.caseInsensitive);
    for (const b of part) bytes.push(field.order === 'DESC' ? ~b & 0xff : b);
    if (bytes.length >= MAX_SK_BYTES) break;
  }
  return bytes;
}

const toKey = (bytes: readonly number[]): string => Buffer.from(bytes.slice(0, MAX_SK_BYTES)).toString('hex');

/**
 * The slot's sort key for an item: the indexed fields' bytes, then (ID_SUFFIX_FORMAT) the `_id`'s
 * string bytes, ascending whatever the fields' directions, cut to MAX_SK_BYTES, as lowercase hex
 * (whose order is the bytes' order).
 *
 * Why a cut key still orders: every value's encoding is prefix-free (a kind byte, then fixed-width
 * bytes or a terminated string), and so is a sequence of them, so two different full keys first
 * differ at a byte inside both. Cutting both at the same length either keeps that byte (same order)
 * or drops it (the cut keys are equal): cutting only makes ties, never reverses two items, and the
 * readers complete and re-sort runs of equal keys. Likewise the `_id` suffix only orders items
 * whose fields' bytes are equal: "the fields equal v" is still "the key starts with v's bytes".
 */
export function indexSk(index: IndexKeySpec, item: Record<string, unknown>): string {
  const bytes = fieldsBytes(index, item);
  if (hasIdSuffix(index) && bytes.length < MAX_SK_BYTES)
    bytes.push(...valueBytes(String(item._id), true, false));
  return toKey(bytes);
}

/**
 * The fields part of an item's sort key alone (the whole key of an index without the `_id` suffix):
 * readers group items into runs of equal indexed values by it when the `_id` order read is not
 * the one wanted (reading backwards gives `_id` descending within a run).
 */
export function indexFieldsSk(index: IndexKeySpec, item: Record<string, unknown>): string {
  return toKey(fieldsBytes(index, item));
}

/** The key attributes every index on the collection needs on this item (a Wix item, system fields included). */
export function indexAttributes(
  scope: IndexScope,
  indexes: readonly IndexKeySpec[],
  item: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const index of indexes) {
    out[gsiPk(index.slot)] = indexPk(scope, index);
    out[gsiSk(index.slot)] = indexSk(index, item);
  }
  return out;
}

/** Slot attributes no index holds: an update removes them, clearing what a removed index left. */
export function freeSlotAttributes(indexes: readonly IndexKeySpec[]): string[] {
  return INDEX_SLOTS.filter((s) => !indexes.some((i) => i.slot === s)).flatMap((s) => [gsiPk(s), gsiSk(s)]);
}
