/**
 * Load run (issue 7, part 5): ~12 concurrent clients send a mix of queries (by id, filtered, sorted,
 * count) and writes (insert, update, remove) through the local HTTP server for a bounded time
 * (LOAD_SECONDS, default 60; at most LOAD_MAX_REQUESTS requests), over loopback only, with plain
 * node:http and a keep-alive agent. Reports throughput, p50/p99 latency, errors by status (target:
 * zero) and this process's memory. Figures, not assertions: nothing here fails on a timing.
 *
 * The server is the local server (bin/local/httpServer.ts) in this process, over the benchmark's
 * DynamoDB Local and DynamoDB client; it verifies requests with a key pair of its own, because the
 * harness keeps its signing key private. Tokens are signed before the run (the server verifies every
 * one; the clients spend no time signing). Every answer is checked: a wrong one counts as an error.
 */
import { Agent, request, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import { freePort } from '../bin/local/dynamodbLocal';
import { createLocalServer } from '../bin/local/httpServer';
import { signV3Request } from '../bin/local/signer';
import { buildDeps } from '../lambda/runtime';
import { resetStats, totalRequests } from '../lambda/store/client';
import { round, type Bench } from './harness';
import type { Row } from './writes';

const COLLECTION = 'loadbench';
const N = 2_000;
const CATEGORIES = 10;
const IDS_PER_CLIENT = 4;

export const LOAD_NOTE = [
  `${N.toLocaleString('en')} items (category: ${CATEGORIES} values, price distinct), then each client loops over a weighted mix for the run's duration: ` +
    '`_id` lookup 30%, filter `category = X` (page of 20) 25%, filter + sort `price DESC` (page of 20; neither is indexed, so it reads the whole collection) 10%, ' +
    'count `category = X` (reads the whole collection) 10%, insert / update / remove 25% (each client cycles insert → update → remove over ids of its own, so every write must succeed).',
  '',
  '- **req/s**: answered requests per second of the run, all clients together; **p50 / p99 / max ms**: HTTP round trip on loopback (keep-alive), JWT verification and DynamoDB Local included. Latencies are those of this machine, not of AWS.',
  '- **errors**: non-200 answers, per-item errors, wrong answers and network errors; the target is zero. **errors by status** counts them by HTTP status (`item` = per-item error in a 200, `wrong` = wrong answer, `net` = no answer).',
  '- **memory**: this process (local server, DynamoDB client and load clients; DynamoDB Local runs in its own Java process): rss and heapUsed at the start and end of the run, and the highest rss sampled each second.',
  '- **DynamoDB req/s**: requests the adaptor sent to DynamoDB per second. **host load** : the 1-minute load average at the start and end of the run (other processes on the machine share its cores).',
].join('\n');

type OpName = 'get by _id' | 'filtered' | 'filtered + sorted' | 'count' | 'insert' | 'update' | 'remove';

interface Sample {
  op: OpName;
  ms: number;
  /** HTTP status, or 'item' / 'wrong' / 'net'. */
  outcome: number | string;
}

/** mulberry32: a seeded PRNG, so every run sends the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in ${min}..${max}`);
  return n;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

interface Post {
  status: number;
  body: any;
}

function post(agent: Agent, port: number, path: string, body: string): Promise<Post> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

interface Signed {
  path: string;
  jwt: string;
  /** Checks a 200 answer: a string says what is wrong, 'item' a per-item error. */
  check: (body: any) => string | undefined;
}

export async function loadBenchmark(b: Bench): Promise<Row[]> {
  const seconds = intEnv('LOAD_SECONDS', 60, 1, 600);
  const clients = intEnv('LOAD_CLIENTS', 12, 1, 64);
  const maxRequests = intEnv('LOAD_MAX_REQUESTS', 2_000_000, 1, 10_000_000);

  // A server of our own over the benchmark's DynamoDB client, verifying our own key.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const deps = buildDeps(
    { ...b.deps.config, wixPublicKeys: [publicKey] },
    { db: b.deps.db, purger: b.deps.purger, now: b.deps.now },
  );
  const server: Server = createLocalServer(() => deps);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const sign = (path: string, req: unknown) =>
    signV3Request(req, {
      privateKeyPem: privateKey,
      instanceId: b.tenant,
      ttlSeconds: 1800,
      appId: 'bench-app',
    });

  try {
    // The collection and its items (not timed).
    const setup = async (path: string, req: unknown) => {
      const res = await post(agent, port, path, await sign(path, req));
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    await setup('/v3/collections/create', { collection: { id: COLLECTION, fields: [] } });
    const idOf = (i: number) => `l-${String(i).padStart(5, '0')}`;
    for (let start = 0; start < N; start += 500) {
      const items = Array.from({ length: Math.min(500, N - start) }, (_, k) => {
        const i = start + k;
        return {
          _id: idOf(i),
          category: `c${i % CATEGORIES}`,
          price: ((i * 7919) % N) / 10,
          title: `Item ${i}`,
        };
      });
      const body = await setup('/v3/items/insert', { collectionId: COLLECTION, items });
      if (body.results.some((r: any) => r.error)) throw new Error('load setup: an insert failed');
    }

    // Pre-signed reads: a pool per kind, every answer checkable (writes never touch these categories).
    const perCategory = N / CATEGORIES;
    const topPrices = (c: number, k: number) =>
      Array.from({ length: perCategory }, (_, j) => c + j * CATEGORIES)
        .map((i) => ((i * 7919) % N) / 10)
        .sort((x, y) => y - x)
        .slice(0, k);
    const reads: Record<string, Signed[]> = {
      'get by _id': [],
      filtered: [],
      'filtered + sorted': [],
      count: [],
    };
    for (let k = 0; k < 32; k++) {
      const id = idOf((k * 61) % N);
      reads['get by _id']!.push({
        path: '/v3/items/query',
        jwt: await sign('', { collectionId: COLLECTION, query: { filter: { _id: id } } }),
        check: (body) => (body.items?.length === 1 && body.items[0]._id === id ? undefined : 'wrong'),
      });
    }
    for (let c = 0; c < CATEGORIES; c++) {
      const cat = `c${c}`;
      reads.filtered!.push({
        path: '/v3/items/query',
        jwt: await sign('', {
          collectionId: COLLECTION,
          query: { filter: { category: cat }, paging: { limit: 20 } },
        }),
        check: (body) =>
          body.items?.length === 20 && body.items.every((i: any) => i.category === cat) ? undefined : 'wrong',
      });
      const want = topPrices(c, 20);
      reads['filtered + sorted']!.push({
        path: '/v3/items/query',
        jwt: await sign('', {
          collectionId: COLLECTION,
          query: {
            filter: { category: cat },
            sort: [{ fieldName: 'price', order: 'DESC' }],
            paging: { limit: 20 },
          },
        }),
        check: (body) =>
          body.items?.length === 20 && body.items.every((i: any, j: number) => i.price === want[j])
            ? undefined
            : 'wrong',
      });
      reads.count!.push({
        path: '/v3/items/count',
        jwt: await sign('', { collectionId: COLLECTION, filter: { category: cat } }),
        check: (body) => (body.totalCount === perCategory ? undefined : 'wrong'),
      });
    }
    // Pre-signed writes: per client, insert / update / remove of each of its ids, cycled in that order.
    const writeCycle = async (client: number): Promise<{ op: OpName; signed: Signed }[]> => {
      const out: { op: OpName; signed: Signed }[] = [];
      for (let j = 0; j < IDS_PER_CLIENT; j++) {
        const id = `w-${client}-${j}`;
        const item = { _id: id, category: 'writes', price: -1, title: `written by ${client}` };
        const ok = (body: any) =>
          body.results?.length === 1 && body.results[0].item?._id === id ? undefined : 'item';
        out.push({
          op: 'insert',
          signed: {
            path: '/v3/items/insert',
            jwt: await sign('', { collectionId: COLLECTION, items: [item] }),
            check: ok,
          },
        });
        out.push({
          op: 'update',
          signed: {
            path: '/v3/items/update',
            jwt: await sign('', { collectionId: COLLECTION, items: [{ ...item, title: 'updated' }] }),
            check: ok,
          },
        });
        out.push({
          op: 'remove',
          signed: {
            path: '/v3/items/remove',
            jwt: await sign('', { collectionId: COLLECTION, itemIds: [id] }),
            check: ok,
          },
        });
      }
      return out;
    };
    const cycles = await Promise.all(Array.from({ length: clients }, (_, c) => writeCycle(c)));

    // The run.
    const samples: Sample[] = [];
    const memStart = process.memoryUsage();
    const loadStart = os.loadavg()[0]!;
    let peakRss = memStart.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
    resetStats(b.deps.db.stats);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let sent = 0;
    const client = async (c: number) => {
      const random = prng(4242 + c);
      const cycle = cycles[c]!;
      // Each id's insert → update → remove must stay in order: write ids in turn, ops of an id in turn.
      let next = 0;
      while (performance.now() < deadline && sent < maxRequests) {
        sent += 1;
        const r = random();
        let op: OpName;
        let signed: Signed;
        if (r < 0.75) {
          const kind: OpName =
            r < 0.3 ? 'get by _id' : r < 0.55 ? 'filtered' : r < 0.65 ? 'filtered + sorted' : 'count';
          const pool = reads[kind]!;
          op = kind;
          signed = pool[Math.floor(random() * pool.length)]!;
        } else {
          // ops of id j sit at 3j, 3j+1, 3j+2; walking 0..3*IDS-1 keeps every id's cycle in order
          ({ op, signed } = cycle[next]!);
          next = (next + 1) % cycle.length;
        }
        const t = performance.now();
        let outcome: number | string;
        try {
          const res = await post(agent, port, signed.path, signed.jwt);
          outcome = res.status === 200 ? (signed.check(res.body) ?? 200) : res.status;
        } catch {
          outcome = 'net';
        }
        samples.push({ op, ms: performance.now() - t, outcome });
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const memEnd = process.memoryUsage();
    peakRss = Math.max(peakRss, memEnd.rss);
    const dynamoRequests = totalRequests(b.deps.db.stats);

    const rowFor = (name: string, of: Sample[], extra: Record<string, string | number> = {}): Row => {
      const ms = of.map((s) => s.ms).sort((x, y) => x - y);
      const errors: Record<string, number> = {};
      for (const s of of)
        if (s.outcome !== 200) errors[String(s.outcome)] = (errors[String(s.outcome)] ?? 0) + 1;
      const errorCount = Object.values(errors).reduce((x, y) => x + y, 0);
      return {
        case: name,
        requests: of.length,
        'req/s': round(of.length / elapsed, 1),
        'p50 ms': round(percentile(ms, 50), 1),
        'p99 ms': round(percentile(ms, 99), 1),
        'max ms': round(ms[ms.length - 1] ?? 0, 1),
        errors: errorCount,
        'errors by status': errorCount
          ? Object.entries(errors)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')
          : 'none',
        ...extra,
      };
    };
    const rows: Row[] = [
      rowFor(`all: ${clients} clients, ${round(elapsed, 1)} s`, samples, {
        'rss MB (start → end, peak)': `${mb(memStart.rss)} → ${mb(memEnd.rss)} (${mb(peakRss)})`,
        'heapUsed MB (start → end)': `${mb(memStart.heapUsed)} → ${mb(memEnd.heapUsed)}`,
        'DynamoDB req/s': round(dynamoRequests / elapsed, 1),
        'host load (1 min, start → end)': `${round(loadStart, 1)} → ${round(os.loadavg()[0]!, 1)} on ${os.cpus().length} cores`,
      }),
    ];
    const ops: OpName[] = [
      'get by _id',
      'filtered',
      'filtered + sorted',
      'count',
      'insert',
      'update',
      'remove',
    ];
    for (const op of ops)
      rows.push(
        rowFor(
          op,
          samples.filter((s) => s.op === op),
        ),
      );
    return rows;
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
  }
}
