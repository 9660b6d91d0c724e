/**
 * A fault-injecting HTTP proxy in front of DynamoDB Local, on 127.0.0.1 (random port).
 *
 * The adaptor's real, signed SDK requests pass through it; rules decide which requests get a fault:
 *
 * - `throttle`: answer HTTP 400 with DynamoDB's JSON error body (ProvisionedThroughputExceededException
 *   or ThrottlingException); the request never reaches DynamoDB (as on AWS: a throttled write is not
 *   applied).
 * - `serverError`: HTTP 500 InternalServerError, request not forwarded.
 * - `cutBefore`: destroy the client connection without forwarding (DynamoDB never saw the request).
 * - `cutMid`: forward the request, then destroy the client connection at once, racing DynamoDB: the
 *   write may or may not have been applied ("DynamoDB dies mid-request").
 * - `cutAfter`: forward, wait for DynamoDB's answer, then destroy the client connection: the write is
 *   applied but its acknowledgement is lost.
 * - `delay`: hold the request (`where: 'before'`, not forwarded if the client gives up first) or
 *   forward it and hold the answer (`where: 'after'`, the default: applied, answered late).
 * - `unprocessed`: BatchWriteItem: forward only part of the batch and answer the rest as
 *   `UnprocessedItems`; BatchGetItem: forward all, answer part of the found items as `UnprocessedKeys`.
 *
 * A rule matches by `X-Amz-Target` operation (e.g. `PutItem`), an optional predicate on the parsed
 * request body, an optional probability (seeded), for at most `times` requests and/or until a deadline.
 * Every fault injected is counted, per proxy and in a process-wide total (`faultsInjected()`).
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { getCollection } from '../../lambda/store/collections';
import { fromStored, type WixItem } from '../../lambda/store/items';
import { encodePart, itemsPk } from '../../lambda/store/keys';
import { PURGE_MARKERS_PK } from '../../lambda/store/purge';
import { referencesPk } from '../../lambda/store/references';
import { testDeps } from './adaptor';

export type Fault =
  | { kind: 'throttle'; code?: 'ProvisionedThroughputExceededException' | 'ThrottlingException' }
  | { kind: 'serverError' }
  | { kind: 'cutBefore' }
  | { kind: 'cutMid' }
  | { kind: 'cutAfter' }
  | { kind: 'delay'; ms: number; where?: 'before' | 'after' }
  | { kind: 'unprocessed'; keep?: number };

/** A short DynamoDB operation name (`PutItem`) or the full `DynamoDB_20120810.PutItem`. */
export type Operation = string;

export interface RequestInfo {
  readonly operation: string;
  readonly body: any;
}

export interface FaultRule {
  /** Only these operations (default: all). */
  readonly operations?: readonly Operation[];
  /** Further selects requests by their parsed JSON body. */
  readonly match?: (req: RequestInfo) => boolean;
  /** Fault at most this many requests (default: unlimited). */
  readonly times?: number;
  /** Active until this time (Date.now() ms; default: forever). */
  readonly until?: number;
  /** Fault a matching request with this probability (default 1), drawn from `random`. */
  readonly probability?: number;
  readonly random?: () => number;
  /** The fault, or a function choosing one per request. */
  readonly fault: Fault | ((req: RequestInfo) => Fault);
}

export interface RuleHandle {
  /** Requests this rule faulted. */
  readonly hits: number;
  /** Faults injected by this rule, by kind. */
  readonly byKind: Readonly<Record<string, number>>;
  remove(): void;
}

export interface FaultProxy {
  readonly url: string;
  /** Requests seen, by operation. */
  readonly requests: Readonly<Record<string, number>>;
  /** Faults injected by this proxy. */
  readonly faults: number;
  readonly faultsByKind: Readonly<Record<string, number>>;
  add(rule: FaultRule): RuleHandle;
  /** Every request (or those of `operations`) gets `fault` for `ms` milliseconds, then all recovers. */
  outage(ms: number, fault?: Fault, operations?: readonly Operation[]): RuleHandle;
  /** Removes every rule. */
  clear(): void;
  close(): Promise<void>;
}

let totalFaults = 0;

/** Faults injected by every proxy of this process. */
export function faultsInjected(): number {
  return totalFaults;
}

/** A small deterministic PRNG (mulberry32) for seeded fault patterns. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const JSON_TYPE = 'application/x-amz-json-1.0';

function shortName(op: string): string {
  return op.startsWith(TARGET_PREFIX) ? op.slice(TARGET_PREFIX.length) : op;
}

interface ActiveRule {
  readonly rule: FaultRule;
  hits: number;
  readonly byKind: Record<string, number>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function errorBody(type: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
}

/** Starts a proxy in front of `upstream` (default: process.env.DYNAMODB_ENDPOINT). */
export async function startFaultProxy(upstream = process.env.DYNAMODB_ENDPOINT): Promise<FaultProxy> {
  if (!upstream) throw new Error('no DYNAMODB_ENDPOINT to proxy');
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const rules: ActiveRule[] = [];
  const requests: Record<string, number> = {};
  const faultsByKind: Record<string, number> = {};
  let faults = 0;
  const sockets = new Set<Socket>();
  const pending = new Set<NodeJS.Timeout>();

  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        pending.delete(t);
        resolve();
      }, ms);
      pending.add(t);
    });

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (res) => {
          readAll(res).then(
            (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
            reject,
          );
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const choose = (info: RequestInfo): { fault: Fault; active: ActiveRule } | undefined => {
    const now = Date.now();
    for (const active of rules) {
      const { rule } = active;
      if (rule.until !== undefined && now >= rule.until) continue;
      if (rule.times !== undefined && active.hits >= rule.times) continue;
      if (rule.operations && !rule.operations.some((o) => shortName(o) === info.operation)) continue;
      if (rule.match && !rule.match(info)) continue;
      if (rule.probability !== undefined && (rule.random ?? Math.random)() >= rule.probability) continue;
      const fault = typeof rule.fault === 'function' ? rule.fault(info) : rule.fault;
      return { fault, active };
    }
    return undefined;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readAll(req);
      const operation = shortName(String(req.headers['x-amz-target'] ?? ''));
      requests[operation] = (requests[operation] ?? 0) + 1;
      let body: any = undefined;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        // not JSON: forwarded as it is
      }
      const chosen = choose({ operation, body });
      const reply = (status: number, headers: Upstream['headers'], payload: Buffer) => {
        if (res.destroyed || req.socket.destroyed) return;
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(headers)) {
          if (v === undefined || k === 'content-length' || k === 'transfer-encoding') continue;
          out[k] = v;
        }
        out['content-length'] = String(payload.length);
        res.writeHead(status, out);
        res.end(payload);
      };
      const pass = async (payload = raw) => {
        const up = await forward(req, payload);
        reply(up.status, up.headers, up.body);
      };
      if (!chosen) return pass();

      const { fault, active } = chosen;
      active.hits += 1;
      active.byKind[fault.kind] = (active.byKind[fault.kind] ?? 0) + 1;
      faults += 1;
      totalFaults += 1;
      faultsByKind[fault.kind] = (faultsByKind[fault.kind] ?? 0) + 1;
      const errorHeaders = { 'content-type': JSON_TYPE, 'x-amzn-requestid': `fault-${faults}` };

      switch (fault.kind) {
        case 'throttle': {
          const code = fault.code ?? 'ProvisionedThroughputExceededException';
          const message =
            code === 'ThrottlingException'
              ? 'Rate of requests exceeds the allowed throughput.'
              : 'The level of configured provisioned throughput for the table was exceeded.';
          return reply(400, errorHeaders, errorBody(code, message));
        }
        case 'serverError':
          return reply(500, errorHeaders, errorBody('InternalServerError', 'Internal server error'));
        case 'cutBefore':
          req.socket.destroy();
          return;
        case 'cutMid': {
          // The request goes out; the client's connection dies before any answer can come back.
          const sent = forward(req, raw).catch(() => undefined);
          req.socket.destroy();
          await sent;
          return;
        }
        case 'cutAfter':
          await forward(req, raw);
          req.socket.destroy();
          return;
        case 'delay': {
          if (fault.where === 'before') {
            await later(fault.ms);
            if (req.socket.destroyed) return; // the client gave up: the request is lost in the network
            return pass();
          }
          const up = await forward(req, raw);
          await later(fault.ms);
          return reply(up.status, up.headers, up.body);
        }
        case 'unprocessed':
          return unprocessed(operation, body, fault.keep ?? 0.5, raw, forward.bind(null, req), reply);
      }
    })().catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const handle = (active: ActiveRule): RuleHandle => ({
    get hits() {
      return active.hits;
    },
    get byKind() {
      return active.byKind;
    },
    remove() {
      const i = rules.indexOf(active);
      if (i >= 0) rules.splice(i, 1);
    },
  });

  const add = (rule: FaultRule): RuleHandle => {
    const active: ActiveRule = { rule, hits: 0, byKind: {} };
    rules.push(active);
    return handle(active);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get faults() {
      return faults;
    },
    faultsByKind,
    add,
    outage(ms, fault = { kind: 'serverError' }, operations) {
      return add({ until: Date.now() + ms, fault, ...(operations ? { operations } : {}) });
    },
    clear() {
      rules.length = 0;
    },
    async close() {
      rules.length = 0;
      for (const t of pending) clearTimeout(t);
      pending.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      agent.destroy();
    },
  };
}

type Reply = (status: number, headers: Upstream['headers'], payload: Buffer) => void;

/**
 * BatchWriteItem: only the first `keep` share of each table's requests reaches DynamoDB; the rest is
 * answered as UnprocessedItems (never applied). BatchGetItem: everything is read, then all but the
 * first `keep` share of the found items is answered as UnprocessedKeys (reads are idempotent).
 */
async function unprocessed(
  operation: string,
  body: any,
  keep: number,
  raw: Buffer,
  forward: (payload: Buffer) => Promise<Upstream>,
  reply: Reply,
): Promise<void> {
  const strip = (h: Upstream['headers']) => {
    const out = { ...h };
    delete out['x-amz-crc32']; // the body changes
    return out;
  };
  if (operation === 'BatchWriteItem' && body?.RequestItems) {
    const sent: Record<string, unknown[]> = {};
    const left: Record<string, unknown[]> = {};
    for (const [table, reqs] of Object.entries(body.RequestItems as Record<string, unknown[]>)) {
      const n = Math.max(0, Math.min(reqs.length - 1, Math.floor(reqs.length * keep)));
      if (n > 0) sent[table] = reqs.slice(0, n);
      left[table] = reqs.slice(n);
    }
    let out: any = { UnprocessedItems: {} };
    if (Object.keys(sent).length > 0) {
      const up = await forward(Buffer.from(JSON.stringify({ ...body, RequestItems: sent })));
      if (up.status !== 200) return reply(up.status, up.headers, up.body);
      out = JSON.parse(up.body.toString('utf8'));
    }
    out.UnprocessedItems = { ...(out.UnprocessedItems ?? {}) };
    for (const [table, reqs] of Object.entries(left)) {
      out.UnprocessedItems[table] = [...(out.UnprocessedItems[table] ?? []), ...reqs];
    }
    return reply(200, { 'content-type': JSON_TYPE }, Buffer.from(JSON.stringify(out)));
  }
  const up = await forward(raw);
  if (operation !== 'BatchGetItem' || up.status !== 200) return reply(up.status, up.headers, up.body);
  const out = JSON.parse(up.body.toString('utf8'));
  out.UnprocessedKeys = { ...(out.UnprocessedKeys ?? {}) };
  for (const [table, items] of Object.entries((out.Responses ?? {}) as Record<string, any[]>)) {
    const n = Math.max(0, Math.min(items.length - 1, Math.floor(items.length * keep)));
    const moved = items.slice(n);
    out.Responses[table] = items.slice(0, n);
    if (moved.length === 0) continue;
    const asked = body?.RequestItems?.[table] ?? {};
    const keys = moved.map((item) => ({ pk: item.pk, sk: item.sk }));
    const prior = out.UnprocessedKeys[table]?.Keys ?? [];
    out.UnprocessedKeys[table] = { ...asked, Keys: [...prior, ...keys] };
  }
  return reply(200, strip(up.headers), Buffer.from(JSON.stringify(out)));
}

/**
 * What DynamoDB really holds, read on the real endpoint (not through the proxy, not through the
 * adaptor's read path): consistent reads of one tenant's collections.
 */
export interface DirectView {
  /** Every item of the collection's current generation, by `_id` (consistent Query). */
  items(collectionId: string): Promise<Map<string, WixItem>>;
  /** The collection's current generation, undefined when the collection does not exist. */
  generation(collectionId: string): Promise<string | undefined>;
  /** Records in one partition of a generation of the collection (items). */
  partitionSize(collectionId: string, generation: string): Promise<number>;
  /** Purge markers recorded for the collection: generations waiting to be purged. */
  purgeMarkers(collectionId: string): Promise<string[]>;
  /** Reference records held by the collection's current generation. */
  referenceCount(collectionId: string): Promise<number>;
  close(): void;
}

export function directView(tenant: string): DirectView {
  const deps = testDeps();
  const db = deps.db;
  const queryAll = async (pk: string): Promise<Record<string, AttributeValue>[]> => {
    const out: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await db.client.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const generation = async (collectionId: string) =>
    (await getCollection(db, tenant, collectionId, true))?.record.generation;
  return {
    async items(collectionId) {
      const gen = await generation(collectionId);
      const found = new Map<string, WixItem>();
      if (gen === undefined) return found;
      for (const stored of await queryAll(itemsPk(tenant, collectionId, gen))) {
        const item = fromStored(stored);
        found.set(String(item._id), item);
      }
      return found;
    },
    generation,
    async partitionSize(collectionId, gen) {
      return (await queryAll(itemsPk(tenant, collectionId, gen))).length;
    },
    async purgeMarkers(collectionId) {
      const prefix = `${encodePart(tenant)}#${encodePart(collectionId)}#`;
      return (await queryAll(PURGE_MARKERS_PK))
        .map((m) => m.sk?.S ?? '')
        .filter((sk) => sk.startsWith(prefix))
        .map((sk) => sk.slice(prefix.length));
    },
    async referenceCount(collectionId) {
      const gen = await generation(collectionId);
      return gen === undefined ? 0 : (await queryAll(referencesPk(tenant, collectionId, gen))).length;
    },
    close() {
      db.client.destroy();
    },
  };
}
