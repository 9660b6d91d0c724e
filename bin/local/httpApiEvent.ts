/**
 * The API Gateway HTTP API event (payload format 2.0) the local server hands to a handler, built as
 * API Gateway builds it, and Lambda's request limit measured on it.
 *
 * On AWS an invocation whose event is over 6,291,456 bytes never reaches the function: Lambda refuses
 * it and API Gateway answers 413 with its own body. What counts is the whole event as JSON, so a
 * body's size is not the measure: JSON escaping grows a text body (a quote becomes `\"`) and a body
 * API Gateway base64-encodes grows by 4/3. The local server measures the event it built the same way
 * and answers what API Gateway answers, so a request is refused locally exactly when it would be on
 * AWS, up to the few hundred bytes by which API Gateway's own headers and request context differ
 * from ours (its domain name, trace id, forwarded headers).
 */
import { randomUUID } from 'node:crypto';
import type { HttpResponse } from '../../lambda/protocol/http';

/** Lambda's limit for a synchronous invocation's request (the event as JSON), in bytes. */
export const MAX_INVOKE_REQUEST_BYTES = 6_291_456;

/** What API Gateway (HTTP API) answers when the invocation is refused for its size. */
export function requestTooLargeResponse(): HttpResponse {
  return {
    statusCode: 413,
    headers: { 'content-type': 'application/json' },
    body: '{"message":"Request Entity Too Large"}',
  };
}

/**
 * HTTP APIs pass a body as text only for these media types (and any `text/*`); everything else,
 * a missing content type included, arrives base64-encoded with `isBase64Encoded: true`.
 */
const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

export function isTextBody(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return media.startsWith('text/') || TEXT_MEDIA_TYPES.has(media);
}

export interface LocalRequest {
  readonly method: string;
  /** path without the query string */
  readonly path: string;
  readonly rawQueryString: string;
  /** lower-case names; repeated headers joined with commas, as payload 2.0 does */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`, e.g. `30/Nov/2026:04:23:35 +0000` (always 26 characters). */
function gatewayTime(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}:` +
    `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())} +0000`
  );
}

/** The payload-2.0 event of `req` on the `$default` stage, routed by its path. */
export function httpApiEvent(req: LocalRequest, now: Date = new Date()): Record<string, unknown> {
  const text = isTextBody(req.headers['content-type']);
  const routeKey = `${req.method} ${req.path}`;
  const host = req.headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey,
    rawPath: req.path,
    rawQueryString: req.rawQueryString,
    headers: req.headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method: req.method,
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    // no body at all: API Gateway leaves the field out
    ...(req.body.length === 0
      ? { isBase64Encoded: false }
      : { body: text ? req.body.toString('utf8') : req.body.toString('base64'), isBase64Encoded: !text }),
  };
}

/** The event's size as Lambda counts it: its JSON, in bytes. */
export function eventBytes(event: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(event), 'utf8');
}
