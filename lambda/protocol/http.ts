/** The transport-neutral HTTP shapes the edges work with (API Gateway events and the local server map to these). */

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body as UTF-8 text. */
  readonly body: string;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Largest request body accepted (Lambda's synchronous payload limit). */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * Lambda's limit for a synchronous response: 6,291,556 bytes for the whole JSON the function
 * returns (statusCode, headers and the body as an escaped JSON string). Past it the invocation fails
 * and API Gateway answers 500, so the adaptor checks it itself, locally as on AWS.
 */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** Bytes of the response as Lambda serialises it. Escaping grows a body at most 6 times (\u00XX). */
export function responseBytes(response: HttpResponse): number {
  if (response.body.length * 6 + 1024 < MAX_RESPONSE_BYTES) return 0;
  return Buffer.byteLength(JSON.stringify(response), 'utf8');
}

export function json(statusCode: number, payload: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(payload),
  };
}
