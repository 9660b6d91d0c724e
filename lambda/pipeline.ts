/**
 * Every function's handler pipeline: @middy/core with the Powertools middlewares. The API functions,
 * the purge job and the local server (which builds a Lambda-like context per request) all run their
 * handler through here, so logging, metrics and tracing behave the same everywhere.
 *
 * - Logger: adds the Lambda context (function_request_id, cold_start, function_name, ...) to every
 *   log line of the invocation.
 * - Metrics: the ColdStart metric. Not Powertools' logMetrics middleware: it flushes after the
 *   handler, and would warn on every invocation that nothing is left, because each request prints
 *   its own metrics as it ends (lambda/metrics.ts) so that concurrent local requests never mix.
 * - Tracer: a segment per invocation, when tracing is on (lambda/tracer.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './log';
import { metrics } from './metrics';
import { tracer } from './tracer';

export type { Context };

export function pipeline<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  // No middy early timeout: our own deadline (DEADLINE_MARGIN_MS) already answers a 503 in the
  // protocol's error body; middy's would throw a bare TimeoutError outside that edge (a 500).
  const chain = middy(handler, { timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ before: (request) => metrics.captureColdStartMetric(request.context.functionName) });
  if (tracer.isTracingEnabled()) chain.use(captureLambdaHandler(tracer));
  return chain as unknown as (event: E, context: Context) => Promise<R>;
}
