/**
 * Clearing what a removed index left behind: its slot attributes on the items (`gNpk`, `gNsk`, and
 * `gNu` for a unique one) and its uniqueness records.
 *
 * Not needed for correctness: every key and claim holds the index's token, which no later index
 * shares, so nothing reads them. Needed so that removed indexes cost nothing: without it their GSI
 * entries and records would be stored (and paid for) forever.
 *
 * Every removal is conditioned on the exact value read, so an attribute a later index on the same
 * slot has written (with its own token) is never touched.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Db } from './client';
import { fromAttrMap, toAttrMap, type AttrMap } from './codec';
import { mapLimit } from './concurrency';
import { indexPk, type IndexScope } from './indexKeys';
import { itemsPk } from './keys';
import { paginate } from './paginate';
import { partitionPages } from './partitionPages';
import { ATTR, gsiPk, gsiSk } from './schema';
import { claimAttr, uniquenessPk } from './uniqueness';

/** The removed index: its slot and its token. */
export interface ClearSpec {
  readonly slot: number;
  readonly token: string;
}

export interface ClearResult {
  /** items and records cleared by this pass */
  readonly cleared: number;
  readonly done: boolean;
  /** the last item `_id` done; `items` false once every item is done and the records remain */
  readonly after?: string;
  readonly itemsDone?: boolean;
}

const WRITE_CONCURRENCY = 8;
/** An item changed between our read and our removal is read again this often. */
const MAX_REREADS = 3;

/** The attributes of `stored` that belong to the removed index, with their values. */
function leftovers(stored: AttrMap, scope: IndexScope, spec: ClearSpec): Record<string, string> {
  const out: Record<string, string> = {};
  const pk = stored[gsiPk(spec.slot)]?.S;
  if (pk === indexPk(scope, spec)) {
    out[gsiPk(spec.slot)] = pk;
    const sk = stored[gsiSk(spec.slot)]?.S;
    if (sk !== undefined) out[gsiSk(spec.slot)] = sk;
  }
  const claim = stored[claimAttr(spec.slot)]?.S;
  if (claim?.startsWith(`${spec.token}#`)) out[claimAttr(spec.slot)] = claim;
  return out;
}

/** Removes the leftovers of one item, on the condition that it still holds exactly them. */
async function clearItem(db: Db, key: AttrMap, found: Record<string, string>): Promise<boolean> {
  let attrs = found;
  for (let attempt = 1; Object.keys(attrs).length > 0; attempt++) {
    const names: Record<string, string> = {};
    const values: Record<string, string> = {};
    const conditions: string[] = [];
    Object.entries(attrs).forEach(([attr, value], i) => {
      names[`#a${i}`] = attr;
      values[`:a${i}`] = value;
      conditions.push(`#a${i} = :a${i}`);
    });
    try {
      await db.client.send(
        new UpdateItemCommand({
          TableName: db.tableName,
          Key: key,
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toAttrMap(values),
        }),
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) || attempt >= MAX_REREADS) throw err;
    }
    const out = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }),
    );
    if (!out.Item) return false;
    attrs = Object.fromEntries(Object.entries(attrs).filter(([attr, value]) => out.Item![attr]?.S === value));
  }
  return false;
}

/**
 * Clears the removed index from the scope's generation: the items in `_id` order from `after`,
 * then its uniqueness records. Stops early (done = false) when `deadline` passes, so a Lambda can
 * hand the rest to a fresh invocation.
 */
export async function clearIndex(
  db: Db,
  scope: IndexScope,
  spec: ClearSpec,
  after: string | undefined,
  itemsDone: boolean,
  deadline: number,
): Promise<ClearResult> {
  let cleared = 0;
  if (!itemsDone) {
    const pk = itemsPk(scope.tenant, scope.collectionId, scope.generation);
    let last = after;
    const pages = partitionPages(db, pk, {
      consistent: true,
      limit: 500,
      project: {
        '#sk': ATTR.sk,
        '#gp': gsiPk(spec.slot),
        '#gs': gsiSk(spec.slot),
        '#gu': claimAttr(spec.slot),
      },
      after: last,
    });
    for await (const page of pages) {
      await mapLimit(page.Items ?? [], WRITE_CONCURRENCY, async (stored) => {
        const found = leftovers(stored, scope, spec);
        if (Object.keys(found).length === 0) return;
        const key = { [ATTR.pk]: stored[ATTR.pk]!, [ATTR.sk]: stored[ATTR.sk]! };
        if (await clearItem(db, key, found)) cleared++;
      });
      const lastItem = page.Items?.[page.Items.length - 1];
      if (lastItem) last = String(fromAttrMap(lastItem)[ATTR.sk]);
      if (page.LastEvaluatedKey && Date.now() > deadline) return { cleared, done: false, after: last };
    }
  }
  // The records: deleted keys never come back, so a pass that stops early loses nothing.
  const uPk = uniquenessPk(scope.tenant, scope.collectionId, scope.generation);
  const records = paginate((startKey) =>
    db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :t)',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
        ExpressionAttributeValues: toAttrMap({ ':pk': uPk, ':t': `${spec.token}#` }),
        ProjectionExpression: '#pk, #sk',
        ExclusiveStartKey: startKey,
        Limit: 500,
      }),
    ),
  );
  for await (const page of records) {
    await mapLimit(page.Items ?? [], WRITE_CONCURRENCY, async (key) => {
      await db.client.send(new DeleteItemCommand({ TableName: db.tableName, Key: key }));
      cleared++;
    });
    if (page.LastEvaluatedKey && Date.now() > deadline) return { cleared, done: false, itemsDone: true };
  }
  return { cleared, done: true };
}
