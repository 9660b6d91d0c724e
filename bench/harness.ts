/**
 * Benchmark harness: an in-memory DynamoDB Local, the local HTTP server in this process (so requests
 * go through HTTP, JWT verification and dispatch like real ones), a signer, and DynamoDB counters.
 */
import { ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { startDynamoLocal, freePort, type DynamoLocal } from '../bin/local/dynamodbLocal';
import { createLocalServer } from '../bin/local/httpServer';
import { send, signV3Request } from '../bin/local/signer';
import { loadConfig } from '../lambda/config';
import { buildDeps, type Deps } from '../lambda/runtime';
import { ensureTable } from '../lambda/store/admin';
import { resetStats, totalRequests, type DbStats } from '../lambda/store/client';

export interface Bench {
  readonly deps: Deps;
  readonly tenant: string;
  /** Sends a signed V3 request; throws unless it answers 200. */
  call(path: string, request: unknown): Promise<{ status: number; body: any; ms: number }>;
  /** The same, returning any answer (a refusal is a result some benchmarks record). */
  send(path: string, request: unknown): Promise<{ status: number; body: any; ms: number }>;
  measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; stats: DbStats; requests: number }>;
  close(): Promise<void>;
}

export async function startBench(): Promise<Bench> {
  process.env.LOG_LEVEL = 'silent';
  const dynamo: DynamoLocal = await startDynamoLocal();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const config = loadConfig({
    ...process.env,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME: 'bench',
    AWS_REGION: 'local',
    WIX_PUBLIC_KEY: publicKey,
    WIX_APP_ID: 'bench-app',
    MEASURE_CAPACITY: '1',
    // Index builds start at once: this process is the only writer, so no request that read the
    // collection record before an index existed can still be in flight (the grace exists for that).
    INDEX_BUILD_GRACE_MS: '0',
    // Likewise purges: the grace (120 s by default) keeps a retired generation's marker until late
    // writes of other instances can no longer land; here the second sweep would only measure waiting.
    PURGE_GRACE_MS: '0',
  });
  const deps = buildDeps(config);
  try {
    await ensureTable(deps.db);
  } catch (err) {
    // On a busy machine the SDK can retry a CreateTable whose first attempt did land.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  const server: Server = createLocalServer(() => deps);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const tenant = `bench-${randomUUID()}`;
  const base = `http://127.0.0.1:${port}`;
  const signedSend = async (path: string, request: unknown) => {
    const jwt = await signV3Request(request, {
      privateKeyPem: privateKey,
      instanceId: tenant,
      appId: 'bench-app',
    });
    const started = performance.now();
    const res = await send(`${base}${path}`, jwt);
    return { status: res.status, body: res.body, ms: performance.now() - started };
  };
  return {
    deps,
    tenant,
    send: signedSend,
    async call(path, request) {
      const res = await signedSend(path, request);
      if (res.status !== 200)
        throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return res;
    },
    async measure(fn) {
      resetStats(deps.db.stats);
      const started = performance.now();
      const result = await fn();
      const ms = performance.now() - started;
      const stats = JSON.parse(JSON.stringify(deps.db.stats)) as DbStats;
      return { result, ms, stats, requests: totalRequests(stats) };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await dynamo.stop();
    },
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A per-call value that should not vary between repetitions: the median, with the range if it does. */
export function steady(values: number[], digits = 2): string | number {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi
    ? round(lo, digits)
    : `${round(median(values), digits)} (${round(lo, digits)}–${round(hi, digits)})`;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
