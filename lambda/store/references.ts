/**
 * Multi-reference storage. One record per (field, referring item, referenced item):
 *
 *   pk   = R#<tenant>#<collection>#<generation>            all references held by one collection
 *   sk   = <field>#<referring id>#<referenced id>          (components percent-encoded, so '#' never
 *                                                           occurs inside one)
 *   g1pk = RV#<tenant>#<collection>#<generation>#<field>#<referenced id>    who references X (GSI slot 1)
 *   g1sk = <created at>#<referring id>
 *
 * So the references of one referring item are one Query (a key prefix), the references to one item
 * are one Query on the GSI, and an exact pair is one conditional write. Each record also remembers
 * the referenced collection's generation: references into a collection that was truncated or deleted
 * since are ignored on read, which keeps truncate O(1) on both sides. It also remembers the creation
 * tokens of the two items it joins (store/creationToken.ts): a record whose item was removed and
 * created again under the same id belongs to the old item and is ignored on read (service/
 * referenceLiveness.ts), and a new reference of the same pair replaces it.
 */
import { createHash } from 'node:crypto';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ReferenceAlreadyExistsError, ReferenceNotFoundError, ValidationError } from '../errors';
import type { Db } from './client';
import { fromAttrMap, toAttrMap, type AttrMap } from './codec';
import { backoffMs, chunk, mapLimit, sleep } from './concurrency';
import { encodePart, keyFits, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES } from './keys';
import { paginate, type Budget } from './paginate';
import { partitionPages } from './partitionPages';
import { NO_TOKEN } from './creationToken';
import { ATTR, gsiName, gsiPk, gsiSk } from './schema';

const REVERSE_SLOT = 1;

export interface ReferenceScope {
  readonly tenant: string;
  readonly collectionId: string;
  readonly generation: string;
  readonly field: string;
}

export interface Reference {
  readonly referringItemId: string;
  readonly referencedItemId: string;
  /** creation time + sequence, for ordering */
  readonly at: string;
  readonly referencedCollectionId: string;
  readonly referencedGeneration: string;
  /** creation tokens of the referring and referenced items when the reference was made (NO_TOKEN before tokens) */
  readonly referringToken: string;
  readonly referencedToken: string;
}

export function referencesPk(tenant: string, collectionId: string, generation: string): string {
  return `R#${encodePart(tenant)}#${encodePart(collectionId)}#${generation}`;
}

function fieldPrefix(scope: ReferenceScope): string {
  return `${encodePart(scope.field)}#`;
}

function sortKey(scope: ReferenceScope, referring: string, referenced: string): string {
  return `${fieldPrefix(scope)}${encodePart(referring)}#${encodePart(referenced)}`;
}

function reversePk(scope: ReferenceScope, referenced: string): string {
  return `RV#${encodePart(scope.tenant)}#${encodePart(scope.collectionId)}#${scope.generation}#${encodePart(scope.field)}#${encodePart(referenced)}`;
}

function keyOf(scope: ReferenceScope, referring: string, referenced: string): AttrMap {
  return toAttrMap({
    [ATTR.pk]: referencesPk(scope.tenant, scope.collectionId, scope.generation),
    [ATTR.sk]: sortKey(scope, referring, referenced),
  });
}

function fromStored(item: AttrMap): Reference {
  const r = fromAttrMap(item);
  return {
    referringItemId: String(r.rf),
    referencedItemId: String(r.rd),
    at: String(r.at),
    referencedCollectionId: String(r.rc),
    referencedGeneration: String(r.rg),
    // records written before tokens existed have none, like the items they joined then
    referringToken: typeof r.fc === 'string' ? r.fc : NO_TOKEN,
    referencedToken: typeof r.dc === 'string' ? r.dc : NO_TOKEN,
  };
}

/**
 * A condition that holds when the stored record's token attribute `#<name>` equals `:<name>`; a
 * record without the attribute (written before tokens) counts as NO_TOKEN.
 */
function sameToken(name: string, token: string): string {
  return token === NO_TOKEN
    ? `(attribute_not_exists(#${name}) OR #${name} = :${name})`
    : `#${name} = :${name}`;
}

export async function putReference(db: Db, scope: ReferenceScope, ref: Reference): Promise<void> {
  // Long ids (or a long field key) can make a key DynamoDB refuses: a clear 400 for this reference.
  const tooLong =
    !keyFits(sortKey(scope, ref.referringItemId, ref.referencedItemId), MAX_SORT_KEY_BYTES) ||
    !keyFits(reversePk(scope, ref.referencedItemId), MAX_PARTITION_KEY_BYTES) ||
    !keyFits(`${ref.at}#${encodePart(ref.referringItemId)}`, MAX_SORT_KEY_BYTES);
  if (tooLong)
    throw new ValidationError(
      'the reference cannot be stored: its field key and item ids are too long together ' +
        `(their percent-encoded key exceeds ${MAX_SORT_KEY_BYTES} bytes)`,
    );
  try {
    await db.client.send(
      new PutItemCommand({
        TableName: db.tableName,
        Item: {
          ...keyOf(scope, ref.referringItemId, ref.referencedItemId),
          ...toAttrMap({
            rf: ref.referringItemId,
            rd: ref.referencedItemId,
            at: ref.at,
            rc: ref.referencedCollectionId,
            rg: ref.referencedGeneration,
            fc: ref.referringToken,
            dc: ref.referencedToken,
            [gsiPk(REVERSE_SLOT)]: reversePk(scope, ref.referencedItemId),
            [gsiSk(REVERSE_SLOT)]: `${ref.at}#${encodePart(ref.referringItemId)}`,
          }),
        },
        // An existing record for a referenced item that has since been truncated away, or left by an
        // earlier life of either item (other creation tokens), is stale and may be replaced.
        ConditionExpression: `attribute_not_exists(#pk) OR #rg <> :rg OR NOT (${sameToken('fc', ref.referringToken)} AND ${sameToken('dc', ref.referencedToken)})`,
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#rg': 'rg', '#fc': 'fc', '#dc': 'dc' },
        ExpressionAttributeValues: toAttrMap({
          ':rg': ref.referencedGeneration,
          ':fc': ref.referringToken,
          ':dc': ref.referencedToken,
        }),
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException)
      throw new ReferenceAlreadyExistsError(ref.referringItemId, ref.referencedItemId);
    throw err;
  }
}

/** Deletes a reference; `liveGeneration` makes a record pointing into a truncated collection count as absent. */
export async function deleteReference(
  db: Db,
  scope: ReferenceScope,
  referring: string,
  referenced: string,
  liveGeneration: string | undefined,
): Promise<void> {
  // A key too long to store names a reference that cannot exist.
  if (!keyFits(sortKey(scope, referring, referenced), MAX_SORT_KEY_BYTES))
    throw new ReferenceNotFoundError(referring, referenced);
  try {
    await db.client.send(
      new DeleteItemCommand({
        TableName: db.tableName,
        Key: keyOf(scope, referring, referenced),
        ConditionExpression: 'attribute_exists(#pk) AND #rg = :rg',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#rg': 'rg' },
        ExpressionAttributeValues: toAttrMap({ ':rg': liveGeneration ?? '' }),
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException)
      throw new ReferenceNotFoundError(referring, referenced);
    throw err;
  }
}

async function collect(pages: AsyncGenerator<QueryCommandOutput>): Promise<Reference[]> {
  const out: Reference[] = [];
  for await (const page of pages) for (const item of page.Items ?? []) out.push(fromStored(item));
  return out;
}

function queryPrefix(db: Db, pk: string, lower: string, upper: string, consistent: boolean, budget: Budget) {
  return paginate<QueryCommandOutput>(
    (startKey) =>
      db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: toAttrMap({ ':pk': pk, ':lo': lower, ':hi': upper }),
          ConsistentRead: consistent,
          ExclusiveStartKey: startKey,
        }),
      ),
    budget,
  );
}

/** Every reference of the field held by the referring items whose ids lie in [fromId, toId] (one Query). */
export function referencesOfRange(
  db: Db,
  scope: ReferenceScope,
  fromId: string | undefined,
  toId: string | undefined,
  consistent: boolean,
  budget: Budget,
): Promise<Reference[]> {
  const pk = referencesPk(scope.tenant, scope.collectionId, scope.generation);
  const prefix = fieldPrefix(scope);
  const lower = fromId === undefined ? prefix : `${prefix}${encodePart(fromId)}#`;
  // encoded parts are ASCII, so \uffff sorts after every continuation of the prefix
  const upper = toId === undefined ? `${prefix}\uffff` : `${prefix}${encodePart(toId)}#\uffff`;
  if (!keyFits(lower, MAX_SORT_KEY_BYTES) || !keyFits(upper, MAX_SORT_KEY_BYTES)) {
    // One item's references under a key too long to store: there are none.
    if (fromId !== undefined && fromId === toId) return Promise.resolve([]);
    throw new ValidationError(
      `an item id is too long to look references up by (over ${MAX_SORT_KEY_BYTES} bytes encoded)`,
    );
  }
  return collect(queryPrefix(db, pk, lower, upper, consistent, budget));
}

/** References of one referring item: one Query on a key prefix. */
export function referencesFrom(
  db: Db,
  scope: ReferenceScope,
  referring: string,
  consistent: boolean,
  budget: Budget,
): Promise<Reference[]> {
  return referencesOfRange(db, scope, referring, referring, consistent, budget);
}

/** References to one item (from this collection's field): one Query on GSI slot 1 (eventually consistent). */
export async function referencesTo(
  db: Db,
  scope: ReferenceScope,
  referenced: string,
  budget: Budget,
): Promise<Reference[]> {
  if (!keyFits(reversePk(scope, referenced), MAX_PARTITION_KEY_BYTES)) return [];
  return collect(
    paginate<QueryCommandOutput>(
      (startKey) =>
        db.client.send(
          new QueryCommand({
            TableName: db.tableName,
            IndexName: gsiName(REVERSE_SLOT),
            KeyConditionExpression: '#g = :g',
            ExpressionAttributeNames: { '#g': gsiPk(REVERSE_SLOT) },
            ExpressionAttributeValues: toAttrMap({ ':g': reversePk(scope, referenced) }),
            ExclusiveStartKey: startKey,
          }),
        ),
      budget,
    ),
  );
}

/** Deletes references by pair (item removal), in 25-item batches with UnprocessedItems retried. */
export async function deleteReferences(
  db: Db,
  scope: ReferenceScope,
  refs: readonly Reference[],
): Promise<void> {
  await mapLimit(chunk(refs, 25), 4, async (batch) => {
    let pending: WriteRequest[] = batch.map((r) => ({
      DeleteRequest: { Key: keyOf(scope, r.referringItemId, r.referencedItemId) },
    }));
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) {
        if (round > 12) throw new Error('BatchWriteItem kept returning unprocessed items');
        await sleep(backoffMs(round));
      }
      const out = await db.client.send(
        new BatchWriteItemCommand({ RequestItems: { [db.tableName]: pending } }),
      );
      pending = out.UnprocessedItems?.[db.tableName] ?? [];
    }
  });
}

/**
 * Who points at a collection, without reading every collection record of the tenant: one small
 * record per (referring collection, multi-reference field) that ever held a reference into it,
 *
 *   pk = RI#<tenant>#<target collection>   sk = L#<referring collection>#<field>
 *
 * written before that field's first reference, plus `COMPLETE` once the list was built from the
 * collection records themselves (references made before these records existed). A link is a hint:
 * readers check it against the referring collection's current record.
 */
export interface InboundLink {
  readonly collectionId: string;
  readonly field: string;
}

const INBOUND_COMPLETE = 'COMPLETE';

function inboundPk(tenant: string, targetId: string): string {
  return `RI#${encodePart(tenant)}#${encodePart(targetId)}`;
}

async function putInbound(
  db: Db,
  tenant: string,
  targetId: string,
  sk: string,
  extra: object,
): Promise<void> {
  await db.client.send(
    new PutItemCommand({
      TableName: db.tableName,
      Item: toAttrMap({ [ATTR.pk]: inboundPk(tenant, targetId), [ATTR.sk]: sk, ...extra }),
    }),
  );
}

/**
 * A link's sort key. A field key too long for it (no reference of that field fits its keys either:
 * putReference refuses it with a 400) still gets its link, under a digest of the key: links are read
 * from `rc`/`rf`, never from the key, and a link that cannot be written would turn the reference's
 * 400 into a 500 and break the link rebuild of every remove in the target collection.
 */
function linkSk(link: InboundLink): string {
  const sk = `L#${encodePart(link.collectionId)}#${encodePart(link.field)}`;
  return keyFits(sk, MAX_SORT_KEY_BYTES) ? sk : `LH#${createHash('sha256').update(sk).digest('base64url')}`;
}

/** Records that `link` may hold references into `targetId` (idempotent). */
export function putInboundLink(db: Db, tenant: string, targetId: string, link: InboundLink): Promise<void> {
  return putInbound(db, tenant, targetId, linkSk(link), {
    rc: link.collectionId,
    rf: link.field,
  });
}

/** Records that the links of `targetId` are complete (built from every collection record once). */
export function markInboundComplete(db: Db, tenant: string, targetId: string): Promise<void> {
  return putInbound(db, tenant, targetId, INBOUND_COMPLETE, {});
}

/** The links into `targetId`, and whether they are known to be complete (one consistent Query). */
export async function inboundLinks(
  db: Db,
  tenant: string,
  targetId: string,
  budget: Budget,
): Promise<{ complete: boolean; links: InboundLink[] }> {
  let complete = false;
  const links: InboundLink[] = [];
  const pages = partitionPages(db, inboundPk(tenant, targetId), { consistent: true, budget });
  for await (const page of pages) {
    for (const stored of page.Items ?? []) {
      const r = fromAttrMap(stored);
      if (r[ATTR.sk] === INBOUND_COMPLETE) complete = true;
      else links.push({ collectionId: String(r.rc), field: String(r.rf) });
    }
  }
  return { complete, links };
}
