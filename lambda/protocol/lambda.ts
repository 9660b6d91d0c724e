/** Adapts API Gateway HTTP API (payload 2.0) events to the shared pipeline. */
import { matchRoute } from '../routes';
import { errorFields, log } from '../log';
import { loadDeps } from '../runtime';
import { legacyErrorResponse } from './legacy/errors';
import { v3ErrorResponse } from './v3/errors';
import { dispatch } from './dispatch';
import type { HttpResponse } from './http';
import type { Operation } from './operation';

/** The subset of APIGatewayProxyEventV2 the adaptor reads. */
export interface HttpApiEvent {
  rawPath?: string;
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  requestContext?: { http?: { method?: string; path?: string } };
}

export function lambdaHandler(
  operation: string,
  op: Operation,
): (event: HttpApiEvent) => Promise<HttpResponse> {
  return async (event) => {
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const match = matchRoute(path);
    // A function only serves its own operation, whatever path reached it.
    const own = match && match.route.operation === operation ? match : undefined;
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    let deps;
    try {
      deps = await loadDeps();
    } catch (err) {
      log('error', 'cold start failed', errorFields(err));
      return match?.protocol === 'legacy' ? legacyErrorResponse(err) : v3ErrorResponse(err);
    }
    return dispatch(
      own,
      op,
      { method: event.requestContext?.http?.method ?? 'POST', path, headers: event.headers ?? {}, body },
      deps,
    );
  };
}
