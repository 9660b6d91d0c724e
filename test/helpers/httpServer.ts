/**
 * The local HTTP server (bin/local/httpServer.ts) on a free loopback port, with test deps (real JWT
 * verification with the test keys, DynamoDB Local from globalSetup), and a raw HTTP client that can
 * send any method, any bytes and reports a hang as a failure instead of waiting forever.
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalServer } from '../../bin/local/httpServer';
import type { Deps } from '../../lambda/runtime';
import { testDeps } from './adaptor';

export interface TestServer {
  readonly deps: Deps;
  readonly port: number;
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function startTestServer(deps: Deps = testDeps()): Promise<TestServer> {
  const server: Server = createLocalServer(() => deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    deps,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  ms: number;
}

export interface RawRequest {
  method?: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** A request that takes longer than this is a hang (the promise rejects). */
  timeoutMs?: number;
}

/** Sends one request over a fresh connection; rejects on a hang or a reset connection. */
export function sendRaw(port: number, req: RawRequest): Promise<RawResponse> {
  const started = Date.now();
  const body =
    req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method ?? 'POST',
        path: req.path,
        agent: false,
        headers: {
          'content-type': 'text/plain',
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json,
            ms: Date.now() - started,
          });
        });
      },
    );
    const timeoutMs = req.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      r.destroy(new Error(`no answer within ${timeoutMs} ms (hang) for ${req.method ?? 'POST'} ${req.path}`));
    }, timeoutMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (body) r.write(body);
    r.end();
  });
}
