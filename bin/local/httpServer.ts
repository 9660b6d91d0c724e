/**
 * The local HTTP server: the same handlers the Lambdas run, behind node:http. The route table decides
 * which handler module serves a path; each request becomes an HTTP API payload-2.0 event (built and
 * size-checked as on AWS: httpApiEvent.ts) and runs through the same middy pipeline as on AWS, with a
 * Lambda-like context (REQUEST_TIMEOUT_MS).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { edgeHandler, type EdgeHandler } from '../../lambda/protocol/lambda';
import type { HttpResponse } from '../../lambda/protocol/http';
import type { Operation } from '../../lambda/protocol/operation';
import { v3ErrorResponse } from '../../lambda/protocol/v3/errors';
import { matchRoute } from '../../lambda/routes';
import type { Deps } from '../../lambda/runtime';
import { eventBytes, httpApiEvent, MAX_INVOKE_REQUEST_BYTES, requestTooLargeResponse } from './httpApiEvent';
import { localContext } from './lambdaContext';

const HANDLERS_DIR = path.resolve(__dirname, '../../lambda/handlers');
const loaded = new Map<string, Promise<Operation>>();

/** Loads `lambda/handlers/<operation>.ts` once, like a warm Lambda. */
export function loadOperation(operation: string): Promise<Operation> {
  let op = loaded.get(operation);
  if (!op) {
    op = import(path.join(HANDLERS_DIR, operation)).then((m: { operation: Operation }) => m.operation);
    loaded.set(operation, op);
  }
  return op;
}

/**
 * The body's bytes; undefined once it passes `limit` (the rest is drained, not kept). A body that
 * large cannot fit in an event under the same limit.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        chunks.length = 0; // keep draining, stop buffering
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.statusCode, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}

export function createLocalServer(getDeps: () => Deps): Server {
  const handlers = new Map<string, EdgeHandler>();
  const handlerOf = async (operation: string): Promise<EdgeHandler> => {
    let handler = handlers.get(operation);
    if (!handler) {
      handler = edgeHandler(operation, await loadOperation(operation), async () => getDeps());
      handlers.set(operation, handler);
    }
    return handler;
  };
  return createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const pathOnly = url.split('?')[0] ?? '/';
      if (req.method === 'GET' && (pathOnly === '/health' || pathOnly.endsWith('/health'))) {
        send(res, {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"status":"ok"}',
        });
        return;
      }
      const body = await readBody(req, MAX_INVOKE_REQUEST_BYTES);
      const match = matchRoute(pathOnly);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      // A path no function serves still gets the protocol's 404 body, from any operation's pipeline.
      const operation = match?.route.operation ?? 'provision';
      const event =
        body &&
        httpApiEvent({
          method: req.method ?? 'GET',
          path: pathOnly,
          rawQueryString: url.includes('?') ? url.slice(url.indexOf('?') + 1) : '',
          headers,
          body,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        });
      // Lambda refuses an event over its limit before the function runs; API Gateway answers for it.
      if (!event || eventBytes(event) > MAX_INVOKE_REQUEST_BYTES) {
        send(res, requestTooLargeResponse());
        return;
      }
      const handler = await handlerOf(operation);
      send(res, await handler(event, localContext(operation, getDeps().config.requestTimeoutMs)));
    })().catch((err: unknown) => {
      // dispatch never throws; this is the last guard so a bug can never take the process down.
      if (!res.headersSent) send(res, v3ErrorResponse(err));
      else res.destroy();
    });
  });
}
