/**
 * Backfilling an index: giving the items written before it existed their slot keys, after the fact.
 *
 * The job follows the purge job's pattern: a marker item records every build in one partition
 * (written before the index, so no index is ever left without one), the build pages through the
 * collection's items and hands the rest to a fresh invocation when its time runs out (carrying the
 * last `_id` done), and a sweep restarts builds whose marker went stale.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Db } from './client';
import { staleMarkerJobs } from './markers';
import { fromAttrMap, toAttrMap } from './codec';
import { mapLimit } from './concurrency';
import { indexPk, indexSk, type IndexScope } from './indexKeys';
import { fromStored } from './items';
import { encodePart, itemsPk } from './keys';
import { partitionPages } from './partitionPages';
import { ATTR, gsiPk, gsiSk } from './schema';
import { backfillClaim, claimsOf, uniquenessPk, type UniqueIndexSpec } from './uniqueness';

export interface IndexBuildJob {
  readonly tenant: string;
  readonly collectionId: string;
  /** the index's token (unique to it, unlike its name, which a later index may reuse) */
  readonly token: string;
  /** the `_id` up to which items are done (a hand-over resumes after it) */
  readonly after?: string;
  /** Set when the job clears a removed index (service/indexClear.ts) instead of building one. */
  readonly clear?: {
    readonly slot: number;
    /** when the index was removed: writers that still knew it are over a grace period later */
    readonly removedAt: string;
    /** every item is done; only its uniqueness records remain */
    readonly itemsDone?: boolean;
    /** the generation `after` and `itemsDone` refer to (a truncate in between starts over) */
    readonly generation?: string;
  };
}

export const BUILD_MARKERS_PK = 'IBUILD';

function markerKey(job: IndexBuildJob): Record<string, string> {
  return {
    [ATTR.pk]: BUILD_MARKERS_PK,
    // a clear has its own marker: the build of the same index may still be settling its own
    [ATTR.sk]: `${encodePart(job.tenant)}#${encodePart(job.collectionId)}#${job.token}${job.clear ? '#clear' : ''}`,
  };
}

/** Records (or refreshes, on a hand-over) a build, so the sweep finds it if it dies. */
export async function putBuildMarker(db: Db, job: IndexBuildJob, now: Date): Promise<void> {
  await db.client.send(
    new PutItemCommand({
      TableName: db.tableName,
      Item: toAttrMap({ ...markerKey(job), job: { ...job }, at: now.toISOString() }),
    }),
  );
}

export async function deleteBuildMarker(db: Db, job: IndexBuildJob): Promise<void> {
  await db.client.send(new DeleteItemCommand({ TableName: db.tableName, Key: toAttrMap(markerKey(job)) }));
}

/** Builds whose marker is older than `olderThanMs` (builds that died, or were never started). */
export function pendingBuilds(db: Db, olderThanMs: number, now: Date): Promise<IndexBuildJob[]> {
  return staleMarkerJobs<IndexBuildJob>(db, BUILD_MARKERS_PK, olderThanMs, now);
}

export interface BackfillResult {
  /** items given their keys by this pass */
  readonly indexed: number;
  readonly done: boolean;
  /** the last `_id` done, when not done */
  readonly after?: string;
  /** A unique index's value two items hold (the build stops: the index cannot be built). */
  readonly duplicate?: Duplicate;
  /** The index was removed while the build ran: it stopped. */
  readonly abandoned?: boolean;
}

export interface Duplicate {
  /** the item the build could not index */
  readonly itemId: string;
  /** the item already holding the value */
  readonly heldBy: string;
  readonly field: string;
  readonly value: unknown;
}

/** Items written per page in flight: gentle on an on-demand table. */
const WRITE_CONCURRENCY = 8;

/** An index as the backfill needs it: its keys, and for a unique one its name (a subset of IndexRecord). */
export interface BackfillSpec extends UniqueIndexSpec {
  readonly unique: boolean;
}

/**
 * Gives every item of the scope's generation its keys for `index`, in `_id` order from `after`.
 * Each write is conditional: it applies only to an item that still exists and does not yet carry
 * this index's partition key, so an item a writer has (re)written since the page was read, with
 * keys from its own newer values, is left as it is. For a unique index each item's value is
 * claimed in the same transaction (store/uniqueness.ts); a value another item holds stops the
 * build with `duplicate`.
 */
export async function backfillIndex(
  db: Db,
  scope: IndexScope,
  index: BackfillSpec,
  after: string | undefined,
  deadline: number,
  /** Asked before each page: false once the index is gone, so no page is written for it after. */
  stillWanted: () => Promise<boolean> = async () => true,
): Promise<BackfillResult> {
  const pk = itemsPk(scope.tenant, scope.collectionId, scope.generation);
  const uPk = uniquenessPk(scope.tenant, scope.collectionId, scope.generation);
  const slotPk = indexPk(scope, index);
  let indexed = 0;
  let last = after;
  let duplicate: Duplicate | undefined;
  const pages = partitionPages(db, pk, { consistent: true, limit: 200, after: last });
  for await (const page of pages) {
    if (!(await stillWanted())) return { indexed, done: true, abandoned: true };
    const items = (page.Items ?? []).filter((stored) => stored[gsiPk(index.slot)]?.S !== slotPk);
    await mapLimit(items, WRITE_CONCURRENCY, async (stored) => {
      if (duplicate) return;
      const item = fromStored(stored);
      const [claim] = index.unique ? claimsOf([index], item) : [];
      const update = {
        Key: { [ATTR.pk]: stored[ATTR.pk]!, [ATTR.sk]: stored[ATTR.sk]! },
        UpdateExpression: claim ? 'SET #gp = :gp, #gs = :gs, #gu = :gu' : 'SET #gp = :gp, #gs = :gs',
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#gp) OR #gp <> :gp)',
        ExpressionAttributeNames: {
          '#pk': ATTR.pk,
          '#gp': gsiPk(index.slot),
          '#gs': gsiSk(index.slot),
          ...(claim ? { '#gu': claim.attr } : {}),
        },
        ExpressionAttributeValues: toAttrMap({
          ':gp': slotPk,
          ':gs': indexSk(index, item),
          ...(claim ? { ':gu': claim.sk } : {}),
        }),
      };
      if (claim) {
        const outcome = await backfillClaim(db, uPk, String(item._id), update, claim);
        if (outcome === 'done') indexed++;
        else if (outcome !== 'skipped' && outcome.heldBy !== String(item._id)) {
          duplicate ??= {
            itemId: String(item._id),
            heldBy: outcome.heldBy,
            field: claim.field,
            value: claim.value,
          };
        }
        return;
      }
      try {
        await db.client.send(new UpdateItemCommand({ TableName: db.tableName, ...update }));
        indexed++;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    });
    if (duplicate) return { indexed, done: true, duplicate };
    const lastItem = page.Items?.[page.Items.length - 1];
    if (lastItem) last = String(fromAttrMap(lastItem)[ATTR.sk]);
    if (page.LastEvaluatedKey && Date.now() > deadline) return { indexed, done: false, after: last };
  }
  return { indexed, done: true };
}

/** Starts index builds without waiting for them. */
export interface IndexBuilder {
  schedule(job: IndexBuildJob): Promise<void>;
}

/**
 * AWS: an asynchronous invocation of the purge function with `{build: job}`. One background function
 * for both jobs: they share their shape (async, resumable, swept), their grants and their alarms.
 */
export class LambdaIndexBuilder implements IndexBuilder {
  private readonly client: LambdaClient;
  constructor(
    private readonly functionName: string,
    region: string,
  ) {
    this.client = new LambdaClient({ region });
  }

  async schedule(job: IndexBuildJob): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ build: job })),
      }),
    );
  }
}
