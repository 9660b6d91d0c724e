/**
 * X-Ray tracing (AWS Lambda Powertools Tracer). Off unless POWERTOOLS_TRACE_ENABLED=true, which the
 * stack sets from its `Tracing` parameter (and then switches the functions' active tracing on);
 * Powertools also keeps it off outside Lambda. When on, the handler and every DynamoDB call are
 * segments of the request's trace.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './log';

export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** Wraps an AWS SDK v3 client so its calls are traced; the client itself when tracing is off. */
export function traced<T>(client: T): T {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}
