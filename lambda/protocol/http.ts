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

export function json(statusCode: number, payload: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(payload),
  };
}
