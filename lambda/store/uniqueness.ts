/**
 * Unique indexes, enforced by DynamoDB itself: every value an item holds in a unique index is
 * claimed by a uniqueness record, and the record is written in the same TransactWriteItems as the
 * item, on the condition that it does not exist yet. Two writers of the same value can never both
 * win, whatever their timing; the loser's item is not written at all.
 *
 * - Record key: partition `U#tenant#collection#generation` (so truncate and collection delete stay
 *   O(1): a new generation starts with no claims and the purge drops the old partition), sort key
 *   `token#value` (the index's token: a removed index's claims never block a later index).
 * - The item remembers each claim it holds in the attribute `g{slot}u` (the claim's sort key). An
 *   update or remove conditions its transaction on the claims it read, so it releases exactly the
 *   record it holds, and a record exists exactly when an item's attribute names it.
 * - Values: the index's order-preserving bytes (store/indexKeys.ts; caseInsensitive folds strings),
 *   as hex; longer than MAX_VALUE_KEY_BYTES, their sha256, so uniqueness stays exact for any length.
 *   A missing or null value claims nothing: any number of items may lack the field.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  GetItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type CancellationReason,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { ItemAlreadyExistsError, UniqueValueTakenError, ValidationError } from '../errors';
import { canonical, getPath, kindOf } from '../query/values';
import type { Db } from './client';
import { toAttrMap, type AttrMap } from './codec';
import { backoffMs, sleep } from './concurrency';
import { valueBytes, type IndexKeySpec } from './indexKeys';
import { fromStored, itemKey, type WixItem } from './items';
import { encodePart } from './keys';
import { ATTR } from './schema';

/** A unique index as uniqueness needs it (a structural subset of IndexRecord). */
export interface UniqueIndexSpec extends IndexKeySpec {
  readonly name: string;
}

/** The partition holding one collection generation's claims. */
export function uniquenessPk(tenant: string, collectionId: string, generation: string): string {
  return `U#${encodePart(tenant)}#${encodePart(collectionId)}#${generation}`;
}

/** The item attribute recording the claim an item holds in the unique index on `slot`. */
export function claimAttr(slot: number): string {
  return `g${slot}u`;
}

/** Encoded values up to this many bytes are kept as they are (hex), longer ones hashed. */
export const MAX_VALUE_KEY_BYTES = 400;

/** The key of an item's value in a unique index; undefined when the value is missing or null. */
export function uniqueValueKey(index: IndexKeySpec, item: Record<string, unknown>): string | undefined {
  const { present, value } = getPath(item, index.fields[0]!.path);
  const kind = kindOf(value, present);
  if (kind === 'missing' || kind === 'null') return undefined;
  const bytes = Buffer.from(valueBytes(value, present, index.caseInsensitive));
  // 'h' is no hex digit, so a hash never equals a kept value
  return bytes.length <= MAX_VALUE_KEY_BYTES
    ? bytes.toString('hex')
    : `h${createHash('sha256').update(bytes).digest('hex')}`;
}

/** One value an item claims in one unique index. */
export interface Claim {
  /** the item attribute recording it */
  readonly attr: string;
  /** the uniqueness record's sort key */
  readonly sk: string;
  readonly index: string;
  readonly field: string;
  /** the value as the caller sent it, for the error message */
  readonly value: unknown;
}

export function claimSk(token: string, valueKey: string): string {
  return `${token}#${valueKey}`;
}

/** The claims an item (system fields included) makes in the given unique indexes. */
export function claimsOf(indexes: readonly UniqueIndexSpec[], item: Record<string, unknown>): Claim[] {
  return indexes.flatMap((index) => {
    const key = uniqueValueKey(index, item);
    if (key === undefined) return [];
    const field = index.fields[0]!.path;
    return [
      {
        attr: claimAttr(index.slot),
        sk: claimSk(index.token, key),
        index: index.name,
        field,
        value: getPath(item, field).value,
      },
    ];
  });
}

function shown(value: unknown): string {
  const text = canonical(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function takenError(itemId: string, claim: Claim): UniqueValueTakenError {
  return new UniqueValueTakenError(itemId, claim.index, claim.field, shown(claim.value));
}

/** A stored item with the claims it holds (attribute -> claim sort key). */
export interface ClaimedItem {
  readonly item: WixItem;
  readonly held: Readonly<Record<string, string>>;
}

const CLAIM_ATTR = /^g\d+u$/;

/** Reads an item (consistently) with its claims; undefined when absent. */
export async function getClaimedItem(db: Db, pk: string, id: string): Promise<ClaimedItem | undefined> {
  const out = await db.client.send(
    new GetItemCommand({ TableName: db.tableName, Key: itemKey(pk, id), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  const held: Record<string, string> = {};
  for (const [attr, value] of Object.entries(out.Item)) {
    if (CLAIM_ATTR.test(attr) && value.S !== undefined) held[attr] = value.S;
  }
  return { item: fromStored(out.Item), held };
}

/** Transactions that lose to a concurrent one on the same records are retried this often. */
const MAX_CONFLICT_ROUNDS = 8;

/**
 * Sends one transaction. Returns undefined when it was applied, else the cancellation reasons
 * (one per write, in order) of a transaction some condition refused. Transactions cancelled only by
 * a conflicting concurrent transaction are retried: the next round sees that transaction's outcome
 * and decides on the conditions.
 */
async function transact(db: Db, items: TransactWriteItem[]): Promise<CancellationReason[] | undefined> {
  for (let round = 0; ; round++) {
    try {
      // The token makes the SDK's own retries of an applied transaction a success, not a conflict.
      await db.client.send(
        new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: randomUUID() }),
      );
      return undefined;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const reasons = err.CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return reasons;
      // what a lone PutItem reports as a ValidationException (e.g. an item over 400 KB)
      if (reasons.some((r) => r.Code === 'ValidationError'))
        throw new ValidationError('DynamoDB refused this item (an item holds at most 400 KB)', [
          { fieldPath: '', message: 'item cannot be stored' },
        ]);
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      if (!conflict || round >= MAX_CONFLICT_ROUNDS) throw err;
      await sleep(backoffMs(round + 1, 20, 500));
    }
  }
}

/** The positions of the writes whose condition failed. */
function failedAt(reasons: readonly CancellationReason[]): number[] {
  return reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
}

function claimPut(db: Db, uPk: string, claim: Claim, itemId: string): TransactWriteItem {
  return {
    Put: {
      TableName: db.tableName,
      Item: toAttrMap({ [ATTR.pk]: uPk, [ATTR.sk]: claim.sk, itemId }),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': ATTR.pk },
    },
  };
}

function claimDelete(db: Db, uPk: string, sk: string): TransactWriteItem {
  return { Delete: { TableName: db.tableName, Key: toAttrMap({ [ATTR.pk]: uPk, [ATTR.sk]: sk }) } };
}

/**
 * Writes a new item (`stored`, its claim attributes included) with its claims, all or nothing.
 * ItemAlreadyExistsError when the `_id` is taken, UniqueValueTakenError when a value is.
 */
export async function putClaimedItem(
  db: Db,
  uPk: string,
  itemId: string,
  stored: AttrMap,
  claims: readonly Claim[],
): Promise<void> {
  const reasons = await transact(db, [
    {
      Put: {
        TableName: db.tableName,
        Item: stored,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
      },
    },
    ...claims.map((c) => claimPut(db, uPk, c, itemId)),
  ]);
  if (reasons === undefined) return;
  const failed = failedAt(reasons);
  if (failed[0] === 0) throw new ItemAlreadyExistsError(itemId);
  throw takenError(itemId, claims[failed[0]! - 1]!);
}

/** What an update or remove changes in the claims, decided from the item as it was read. */
export interface ClaimChange {
  /** claims to take (new values) */
  readonly add: readonly Claim[];
  /** claim sort keys to release (values the item held and no longer holds) */
  readonly drop: readonly string[];
}

/** An UpdateItem input without its table (store/items.ts replaceItemUpdate). */
export type ItemUpdate = Omit<NonNullable<TransactWriteItem['Update']>, 'TableName'>;

/**
 * Applies an item update (conditioned on the claims read) together with its claim changes.
 * 'stale' when the item is gone or changed since it was read (the caller reads again);
 * UniqueValueTakenError when a new value is taken.
 */
export async function updateClaimedItem(
  db: Db,
  uPk: string,
  itemId: string,
  update: ItemUpdate,
  change: ClaimChange,
): Promise<'done' | 'stale'> {
  const reasons = await transact(db, [
    { Update: { TableName: db.tableName, ...update } },
    ...change.add.map((c) => claimPut(db, uPk, c, itemId)),
    ...change.drop.map((sk) => claimDelete(db, uPk, sk)),
  ]);
  if (reasons === undefined) return 'done';
  const failed = failedAt(reasons);
  if (failed[0] === 0) return 'stale';
  throw takenError(itemId, change.add[failed[0]! - 1]!);
}

/** The condition that an item still holds exactly these claim attributes (null: none). */
function claimCondition(
  expect: Readonly<Record<string, string | null>>,
): Pick<ItemUpdate, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const names: Record<string, string> = { '#pk': ATTR.pk };
  const values: Record<string, string> = {};
  const parts = ['attribute_exists(#pk)'];
  Object.entries(expect).forEach(([attr, value], i) => {
    names[`#e${i}`] = attr;
    if (value === null) parts.push(`attribute_not_exists(#e${i})`);
    else {
      values[`:e${i}`] = value;
      parts.push(`#e${i} = :e${i}`);
    }
  });
  return {
    ConditionExpression: parts.join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: toAttrMap(values) } : {}),
  };
}

/**
 * Deletes an item and releases its claims, all or nothing, on the condition that it still holds
 * the claims read (`expect`). 'stale' when it is gone or changed (the caller reads again).
 */
export async function deleteClaimedItem(
  db: Db,
  pk: string,
  uPk: string,
  id: string,
  expect: Readonly<Record<string, string | null>>,
  drop: readonly string[],
): Promise<'done' | 'stale'> {
  const reasons = await transact(db, [
    { Delete: { TableName: db.tableName, Key: itemKey(pk, id), ...claimCondition(expect) } },
    ...drop.map((sk) => claimDelete(db, uPk, sk)),
  ]);
  return reasons === undefined ? 'done' : 'stale';
}

/**
 * The backfill of a unique index for one item: its slot keys (`update`, conditioned on the item
 * not being indexed yet) and its claim, together. 'skipped' when a writer indexed the item
 * meanwhile (and so took or refused its claim itself); `{heldBy}` when another item holds the value.
 */
export async function backfillClaim(
  db: Db,
  uPk: string,
  itemId: string,
  update: ItemUpdate,
  claim: Claim,
): Promise<'done' | 'skipped' | { heldBy: string }> {
  const put = claimPut(db, uPk, claim, itemId);
  put.Put!.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
  const reasons = await transact(db, [{ Update: { TableName: db.tableName, ...update } }, put]);
  if (reasons === undefined) return 'done';
  if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'skipped';
  const holder = reasons[1]?.Item?.itemId?.S;
  return { heldBy: holder ?? '?' };
}
