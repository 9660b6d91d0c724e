/**
 * Local stand-ins for the two AWS services the functions call besides DynamoDB, each a small Node
 * HTTP server that the SDK reaches through its documented AWS_ENDPOINT_URL_<SERVICE> variables.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

/** Secrets Manager, JSON 1.1 protocol: `X-Amz-Target: secretsmanager.GetSecretValue`. */
export class SecretsManagerStandIn {
  readonly secrets = new Map<string, string>();
  /** ARNs whose reads are refused with AccessDeniedException (a role without the grant). */
  readonly denied = new Set<string>();
  /** Every SecretId asked for, in order. */
  readonly reads: string[] = [];
  endpoint = '';
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    this.endpoint = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.headers['x-amz-target'];
    const input = JSON.parse((await body(req)) || '{}') as { SecretId?: string };
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
      res.end(JSON.stringify({ __type: type, message }));
    };
    if (target !== 'secretsmanager.GetSecretValue')
      return fail(400, 'InvalidRequestException', `unsupported ${target}`);
    const id = input.SecretId ?? '';
    this.reads.push(id);
    if (this.denied.has(id)) return fail(400, 'AccessDeniedException', `not authorized to read ${id}`);
    const value = this.secrets.get(id);
    if (value === undefined) return fail(400, 'ResourceNotFoundException', `no secret ${id}`);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({
        ARN: id,
        Name: id.split(':').pop(),
        SecretString: value,
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      }),
    );
  }
}

export interface AsyncInvocation {
  readonly functionName: string;
  readonly event: unknown;
  /** Settles when the target function has run the event. */
  readonly done: Promise<unknown>;
}

/**
 * Lambda's Invoke (REST-JSON: `POST /2015-03-31/functions/<name>/invocations`). An `Event`
 * invocation is accepted with 202 and then really run by `run` (the stand-in for Lambda's queue).
 */
export class LambdaStandIn {
  readonly invocations: AsyncInvocation[] = [];
  endpoint = '';
  private readonly server = createServer((req, res) => void this.handle(req, res));

  constructor(private readonly run: (functionName: string, event: unknown) => Promise<unknown>) {}

  async start(): Promise<this> {
    this.endpoint = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    const payload = await body(req);
    if (!m || req.method !== 'POST' || req.headers['x-amz-invocation-type'] !== 'Event') {
      res.writeHead(400, { 'x-amzn-errortype': 'InvalidRequestContentException' });
      return void res.end(JSON.stringify({ message: 'only asynchronous (Event) invokes are expected' }));
    }
    const functionName = decodeURIComponent(m[1]!);
    const event = JSON.parse(payload);
    const done = this.run(functionName, event);
    this.invocations.push({ functionName, event, done });
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end();
  }
}

/** An endpoint that accepts connections and never answers: a hung AWS service. */
export class HangingEndpoint {
  endpoint = '';
  private readonly server = createServer(() => undefined);

  async start(): Promise<this> {
    this.endpoint = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return close(this.server);
  }
}
