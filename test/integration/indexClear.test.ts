/**
 * Removing an index clears what it left behind in the background (DynamoDB Local): its slot
 * attributes on every item and its uniqueness records, resumably, without touching a later index
 * that took the same slot.
 */
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { runIndexBuild } from '../../lambda/service/indexBuild';
import { fromAttrMap, toAttrMap } from '../../lambda/store/codec';
import { requireCollection } from '../../lambda/store/collections';
import { pendingBuilds, type IndexBuildJob } from '../../lambda/store/indexBuild';
import { indexPk } from '../../lambda/store/indexKeys';
import { itemsPk } from '../../lambda/store/keys';
import { gsiPk, gsiSk } from '../../lambda/store/schema';
import { claimAttr, uniquenessPk } from '../../lambda/store/uniqueness';
import { buildsIdle, createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

const C = 'products';
/** Enough items to clear for the background tests: any number proves "every item", few are fast. */
const SMALL = 100;
/**
 * store/indexClear.ts reads 500 items, then 500 claims, per page: 600 makes two pages of each, so a
 * pass-per-page clear hands over inside the items and again inside the claims.
 */
const TWO_PAGES = 600;

async function collectionWith(a: TestAdaptor, n: number) {
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields: [] } })).status).toBe(200);
  for (let start = 0; start < n; start += 500) {
    const items = Array.from({ length: Math.min(500, n - start) }, (_, i) => {
      const k = start + i;
      return { _id: `i${String(k).padStart(5, '0')}`, price: k % 97, sku: `s${k}` };
    });
    expect((await a.call('/v3/items/insert', { collectionId: C, items })).status).toBe(200);
  }
}

async function partition(a: TestAdaptor, pk: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let startKey: Record<string, any> | undefined;
  do {
    const page = await a.deps.db.client.send(
      new QueryCommand({
        TableName: a.deps.db.tableName,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: toAttrMap({ ':p': pk }),
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    out.push(...(page.Items ?? []).map((i) => fromAttrMap(i)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

async function generation(a: TestAdaptor): Promise<string> {
  return (await requireCollection(a.deps.db, a.tenant, C)).record.generation;
}

/** How many items carry any attribute of `slot`, and the claims of `token`. */
async function leftovers(a: TestAdaptor, slot: number, token: string) {
  const gen = await generation(a);
  const items = await partition(a, itemsPk(a.tenant, C, gen));
  const claims = (await partition(a, uniquenessPk(a.tenant, C, gen))).filter((r) =>
    String(r.sk).startsWith(`${token}#`),
  );
  return {
    items: items.filter((i) => [gsiPk(slot), gsiSk(slot), claimAttr(slot)].some((k) => k in i)).length,
    claims: claims.length,
  };
}

async function indexRecord(a: TestAdaptor, name: string) {
  return (await requireCollection(a.deps.db, a.tenant, C)).record.indexes!.find((i) => i.name === name)!;
}

const markersOf = async (a: TestAdaptor) =>
  (await pendingBuilds(a.deps.db, 0, new Date(Date.now() + 60_000))).filter((j) => j.tenant === a.tenant);

describe('removing an index', () => {
  it.each([
    { label: 'a regular index', index: { name: 'x', fields: [{ path: 'price' }] }, claims: 0 },
    { label: 'a unique index', index: { name: 'x', unique: true, fields: [{ path: 'sku' }] }, claims: SMALL },
  ])('clears the slot attributes and claims of $label in the background', async ({ index, claims }) => {
    const a = createTestAdaptor();
    await collectionWith(a, SMALL);
    await a.call('/v3/indexes/create', { collectionId: C, index });
    await buildsIdle(a);
    const { slot, token } = await indexRecord(a, 'x');
    expect(await leftovers(a, slot, token)).toEqual({ items: SMALL, claims });
    expect((await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'x' })).status).toBe(200);
    expect((await a.call('/v3/indexes/list', { collectionId: C })).body.indexes).toEqual([]);
    await buildsIdle(a);
    expect(await leftovers(a, slot, token)).toEqual({ items: 0, claims: 0 });
    expect(await markersOf(a)).toEqual([]);
    // the value is free again, and the items are untouched
    const res = await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'n', sku: 's1' }] });
    expect(res.body.results[0].item).toBeDefined();
    expect((await a.call('/v3/items/count', { collectionId: C })).body.totalCount).toBe(SMALL + 1);
  });

  it('clears a FAILED unique index and its partial claims', async () => {
    const a = createTestAdaptor();
    await collectionWith(a, SMALL);
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'zz', sku: 's5' }] });
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'x', unique: true, fields: [{ path: 'sku' }] },
    });
    await buildsIdle(a);
    const { slot, token, status } = await indexRecord(a, 'x');
    expect(status).toBe('FAILED');
    expect((await leftovers(a, slot, token)).claims).toBeGreaterThan(0);
    await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'x' });
    await buildsIdle(a);
    expect(await leftovers(a, slot, token)).toEqual({ items: 0, claims: 0 });
  });

  it('hands over when its time is up and resumes where it stopped', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, TWO_PAGES);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'x', unique: true, fields: [{ path: 'sku' }] },
    });
    let build = await runIndexBuild(deps, deps.indexBuilder.jobs[0]!, Number.POSITIVE_INFINITY);
    expect(build.done).toBe(true);
    const { slot, token } = await indexRecord(a, 'x');
    await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'x' });
    let job: IndexBuildJob = deps.indexBuilder.jobs[1]!;
    expect(job.clear).toMatchObject({ slot });
    let passes = 0;
    let cleared = 0;
    for (;;) {
      passes++;
      build = await runIndexBuild(deps, job, 0); // deadline passed: one page per pass
      cleared += build.indexed;
      if (!build.next) break;
      expect(await markersOf(a)).toEqual([build.next]);
      job = build.next;
    }
    expect(passes).toBeGreaterThan(2);
    expect(cleared).toBe(2 * TWO_PAGES); // every item and every claim, each once
    expect(await leftovers(a, slot, token)).toEqual({ items: 0, claims: 0 });
    expect(await markersOf(a)).toEqual([]);
  });

  it('starts over in the new generation when a truncate comes between two passes', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, TWO_PAGES);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'x', fields: [{ path: 'price' }] },
    });
    await runIndexBuild(deps, deps.indexBuilder.jobs[0]!, Number.POSITIVE_INFINITY);
    const { slot, token } = await indexRecord(a, 'x');
    await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'x' });
    const first = await runIndexBuild(deps, deps.indexBuilder.jobs[1]!, 0);
    expect(first.next?.after).toBeDefined();
    await a.call('/v3/items/truncate', { collectionId: C });
    await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'a0', price: 1 }] });
    // as a writer that read the record before the removal would have left it
    const gen = await generation(a);
    await a.deps.db.client.send(
      new UpdateItemCommand({
        TableName: a.deps.db.tableName,
        Key: toAttrMap({ pk: itemsPk(a.tenant, C, gen), sk: 'a0' }),
        UpdateExpression: 'SET #p = :p, #s = :s',
        ExpressionAttributeNames: { '#p': gsiPk(slot), '#s': gsiSk(slot) },
        ExpressionAttributeValues: toAttrMap({
          ':p': indexPk({ tenant: a.tenant, collectionId: C, generation: gen }, { token }),
          ':s': '00',
        }),
      }),
    );
    let outcome = await runIndexBuild(deps, first.next!, Number.POSITIVE_INFINITY);
    while (outcome.next) outcome = await runIndexBuild(deps, outcome.next, Number.POSITIVE_INFINITY);
    expect(await leftovers(a, slot, token)).toEqual({ items: 0, claims: 0 });
  });

  it('never touches a later index that took the same slot', async () => {
    const deps = depsWithoutBuilds();
    const a = createTestAdaptor({ deps });
    await collectionWith(a, SMALL);
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'old', unique: true, fields: [{ path: 'sku' }] },
    });
    await runIndexBuild(deps, deps.indexBuilder.jobs[0]!, Number.POSITIVE_INFINITY);
    const old = await indexRecord(a, 'old');
    await a.call('/v3/indexes/remove', { collectionId: C, indexName: 'old' });
    await a.call('/v3/indexes/create', {
      collectionId: C,
      index: { name: 'new', unique: true, fields: [{ path: 'sku' }] },
    });
    const fresh = await indexRecord(a, 'new');
    expect(fresh.slot).toBe(old.slot);
    // the new index is built (and written to) before the old one's clear runs
    await runIndexBuild(deps, deps.indexBuilder.jobs[2]!, Number.POSITIVE_INFINITY);
    await a.call('/v3/items/update', { collectionId: C, items: [{ _id: 'i00001', sku: 'moved' }] });
    await runIndexBuild(deps, deps.indexBuilder.jobs[1]!, Number.POSITIVE_INFINITY);
    expect((await leftovers(a, old.slot, old.token)).claims).toBe(0);
    expect((await leftovers(a, fresh.slot, fresh.token)).claims).toBe(SMALL);
    // every item carries the new index's keys and claim, none was stripped by the old one's clear
    const gen = await generation(a);
    const items = await partition(a, itemsPk(a.tenant, C, gen));
    const newPk = indexPk({ tenant: a.tenant, collectionId: C, generation: gen }, fresh);
    expect(items.filter((i) => i[gsiPk(fresh.slot)] === newPk && gsiSk(fresh.slot) in i)).toHaveLength(SMALL);
    expect(items.filter((i) => String(i[claimAttr(fresh.slot)]).startsWith(`${fresh.token}#`))).toHaveLength(
      SMALL,
    );
    expect((await indexRecord(a, 'new')).status).toBe('ACTIVE');
    // the new index still enforces every value
    const dup = await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'd', sku: 's7' }] });
    expect(dup.body.results[0].error.errorCode).toBe('ITEM_ALREADY_EXISTS');
  });
});
