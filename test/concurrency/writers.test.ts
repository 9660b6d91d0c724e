/**
 * 50 concurrent writers on one collection (issue 7, part 5): inserts, updates and removes of
 * overlapping ids, planned by a seeded PRNG, through the in-process adaptor (several Deps, like
 * several warm Lambdas) against DynamoDB Local. Every acknowledged result is recorded with the time
 * its request started and ended; the final table must be explainable by those results.
 *
 * The check is sound for any interleaving. For one id, let E be its effective operations: the
 * acknowledged inserts, updates and removes (a conditional write reported ITEM_ALREADY_EXISTS or
 * ITEM_NOT_FOUND changed nothing). The last of E in a linearization cannot be followed in real time
 * by another member of E (one that started after it ended), so it is among the "maximal" members.
 * Hence: an id that is stored holds exactly the acknowledged result of a maximal insert or update;
 * an absent id has no effective operation at all or a maximal remove. Also checked: each removed
 * item returned is the acknowledged content of an earlier write of that id; no 5xx, no error other
 * than the two conditional ones; the adaptor's own count and query agree with the table.
 */
import { createTestAdaptor, testDeps, type TestAdaptor } from '../helpers/adaptor';
import { directView, seededRandom } from '../helpers/faultProxy';

const WRITERS = 50;
const IDS = 200;
const REQUESTS_PER_WRITER = 16;
const DEPS = 5; // writers share 5 adaptors (SDK clients), 10 each
const COLLECTION = 'contested';

type Kind = 'insert' | 'update' | 'remove';

interface Op {
  readonly id: string;
  readonly kind: Kind;
  /** The content tag written (insert/update). */
  readonly tag: string | undefined;
  readonly start: number;
  readonly end: number;
  /** 'ok' or the per-item error code. */
  readonly outcome: string;
  /** The item answered (insert/update: as stored; remove: as it was). */
  readonly item: any;
}

const idOf = (i: number) => `k${String(i).padStart(3, '0')}`;

function isEqual(x: unknown, y: unknown): boolean {
  try {
    expect(x).toEqual(y);
    return true;
  } catch {
    return false;
  }
}

describe('50 concurrent writers on one collection', () => {
  const adaptors: TestAdaptor[] = [];
  afterAll(() => {
    for (const a of adaptors) a.deps.db.client.destroy();
  });

  it('end in a state consistent with every acknowledged result', async () => {
    const first = createTestAdaptor();
    adaptors.push(first);
    for (let i = 1; i < DEPS; i++)
      adaptors.push(createTestAdaptor({ deps: testDeps(), tenant: first.tenant }));
    expect(
      (await first.call('/v3/collections/create', { collection: { id: COLLECTION, fields: [] } })).status,
    ).toBe(200);

    const ops: Op[] = [];
    const statuses: Record<number, number> = {};
    const record = (kind: Kind, ids: string[], tags: (string | undefined)[], start: number, res: any) => {
      const end = performance.now();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status !== 200) return;
      res.body.results.forEach((r: any, k: number) => {
        ops.push({
          id: ids[k]!,
          kind,
          tag: tags[k],
          start,
          end,
          outcome: r.error ? r.error.errorCode : 'ok',
          item: r.item,
        });
      });
    };

    // Half the ids exist before the writers start.
    const seeded = Array.from({ length: IDS / 2 }, (_, i) => idOf(i * 2));
    const seedStart = performance.now();
    const seedRes = await first.call('/v3/items/insert', {
      collectionId: COLLECTION,
      items: seeded.map((id) => ({ _id: id, v: `seed-${id}`, w: -1 })),
    });
    record(
      'insert',
      seeded,
      seeded.map((id) => `seed-${id}`),
      seedStart,
      seedRes,
    );

    let inFlight = 0;
    let maxInFlight = 0;
    const writer = async (w: number) => {
      const random = seededRandom(1000 + w);
      const a = adaptors[w % DEPS]!;
      for (let seq = 0; seq < REQUESTS_PER_WRITER; seq++) {
        const r = random();
        const kind: Kind = r < 0.4 ? 'insert' : r < 0.7 ? 'update' : 'remove';
        const count = 1 + Math.floor(random() * 3);
        const ids = [...new Set(Array.from({ length: count }, () => idOf(Math.floor(random() * IDS))))];
        const tags = ids.map((id) => (kind === 'remove' ? undefined : `${kind}-${w}-${seq}-${id}`));
        const start = performance.now();
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const res =
          kind === 'remove'
            ? await a.call('/v3/items/remove', { collectionId: COLLECTION, itemIds: ids })
            : await a.call(`/v3/items/${kind}`, {
                collectionId: COLLECTION,
                items: ids.map((id, k) => ({ _id: id, v: tags[k], w })),
              });
        inFlight -= 1;
        record(kind, ids, tags, start, res);
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    // Every request answered 200 with per-item results; the only errors are the conditional ones.
    expect(statuses).toEqual({ 200: 1 + WRITERS * REQUESTS_PER_WRITER });
    expect(maxInFlight).toBeGreaterThanOrEqual(WRITERS * 0.8);
    const unexpected = ops.filter(
      (o) =>
        o.outcome !== 'ok' &&
        !(o.kind === 'insert' && o.outcome === 'ITEM_ALREADY_EXISTS') &&
        !(o.kind !== 'insert' && o.outcome === 'ITEM_NOT_FOUND'),
    );
    expect(unexpected).toEqual([]);
    const effective = ops.filter((o) => o.outcome === 'ok');
    for (const o of effective) {
      if (o.kind !== 'remove') expect(o.item).toMatchObject({ _id: o.id, v: o.tag });
    }

    const view = directView(first.tenant);
    const stored = await view.items(COLLECTION);
    view.close();

    const problems: string[] = [];
    const byId = new Map<string, Op[]>();
    for (const o of effective) byId.set(o.id, [...(byId.get(o.id) ?? []), o]);
    for (const [id, item] of stored) if (!byId.has(id)) problems.push(`${id} stored but never acknowledged`);
    for (let i = 0; i < IDS; i++) {
      const id = idOf(i);
      const e = byId.get(id) ?? [];
      const maximal = e.filter((x) => !e.some((y) => y.start > x.end));
      const s = stored.get(id);
      if (s) {
        if (!maximal.some((x) => x.kind !== 'remove' && isEqual(x.item, s)))
          problems.push(`${id} holds ${JSON.stringify(s)}, the result of no last acknowledged write`);
      } else if (e.length > 0 && !maximal.some((x) => x.kind === 'remove')) {
        problems.push(
          `${id} is absent but its last acknowledged operations are ${maximal.map((x) => x.kind)}`,
        );
      }
      // what a remove answered was written (and acknowledged) by a write that started before it ended
      for (const r of e.filter((x) => x.kind === 'remove')) {
        if (!e.some((x) => x.kind !== 'remove' && x.start < r.end && x.tag === r.item?.v))
          problems.push(
            `${id}: a remove answered ${JSON.stringify(r.item)}, which no acknowledged write wrote`,
          );
      }
    }
    expect(problems).toEqual([]);

    // The adaptor's own read path agrees with the table.
    const count = await first.call('/v3/items/count', { collectionId: COLLECTION });
    expect(count.body).toEqual({ totalCount: stored.size });
    const all = await first.call('/v3/items/query', {
      collectionId: COLLECTION,
      query: { paging: { limit: 1000 } },
    });
    expect(all.body.items).toEqual(
      [...stored.values()].sort((x, y) => (String(x._id) < String(y._id) ? -1 : 1)),
    );

    const tally = (kind: Kind, outcome: string) =>
      ops.filter((o) => o.kind === kind && o.outcome === outcome).length;
    console.log(
      `concurrency/writers: ${WRITERS} writers, ${ops.length} item operations (max ${maxInFlight} requests in flight); ` +
        `acknowledged inserts ${tally('insert', 'ok')}, updates ${tally('update', 'ok')}, removes ${tally('remove', 'ok')}; ` +
        `conflicts: ITEM_ALREADY_EXISTS ${tally('insert', 'ITEM_ALREADY_EXISTS')}, ITEM_NOT_FOUND ${
          tally('update', 'ITEM_NOT_FOUND') + tally('remove', 'ITEM_NOT_FOUND')
        }; ${stored.size} items stored at the end; inconsistencies ${problems.length}; 5xx 0`,
    );
  });
});
