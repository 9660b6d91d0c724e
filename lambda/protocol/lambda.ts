/**
 * Adapts API Gateway HTTP API (payload 2.0) events to the shared pipeline, inside the middy +
 * Powertools handler pipeline (lambda/pipeline.ts). The local server builds the same handler with
 * its own dependencies and a Lambda-like context, so both run this code.
 */
import { errorFields, logger } from '../log';
import { pipeline, type Context } from '../pipeline';
import { matchRoute } from '../routes';
import { loadDeps, type Deps } from '../runtime';
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

export type EdgeHandler = (event: HttpApiEvent, context: Context) => Promise<HttpResponse>;

/**
 * When the answer must be on its way: the invocation's remaining time minus the margin kept for
 * answering 503, logging and flushing metrics. The function timeout in lib/ leaves room for it.
 */
export function deadlineOf(context: Pick<Context, 'getRemainingTimeInMillis'>, marginMs: number): number {
  return Date.now() + context.getRemainingTimeInMillis() - marginMs;
}

/** The handler of one operation, with the dependencies it is given (the local server's, or the Lambda's). */
export function edgeHandler(operation: string, op: Operation, getDeps: () => Promise<Deps>): EdgeHandler {
  return pipeline(async (event: HttpApiEvent, context: Context): Promise<HttpResponse> => {
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const match = matchRoute(path);
    // A function only serves its own operation, whatever path reached it.
    const own = match && match.route.operation === operation ? match : undefined;
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    let deps: Deps;
    try {
      deps = await getDeps();
    } catch (err) {
      logger.error('cold start failed', errorFields(err));
      return match?.protocol === 'legacy' ? legacyErrorResponse(err) : v3ErrorResponse(err);
    }
    return dispatch(
      own,
      op,
      { method: event.requestContext?.http?.method ?? 'POST', path, headers: event.headers ?? {}, body },
      deps,
      { deadline: deadlineOf(context, deps.config.deadlineMarginMs) },
    );
  });
}

/** A Lambda function's handler: dependencies built at cold start (secrets read, clients created). */
export function lambdaHandler(operation: string, op: Operation): EdgeHandler {
  return edgeHandler(operation, op, loadDeps);
}
