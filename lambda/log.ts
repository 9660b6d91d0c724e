/**
 * The process-wide structured logger (AWS Lambda Powertools Logger): one JSON line per entry, to
 * CloudWatch on AWS and to the terminal locally. The pipeline (lambda/pipeline.ts) adds the Lambda
 * context to every line (function_request_id, cold_start, ...); request lines carry the Wix
 * requestId, tenant and operation themselves, so concurrent local requests never mix their fields.
 *
 * The level comes from LOG_LEVEL (or POWERTOOLS_LOG_LEVEL), in any case: DEBUG, INFO (default),
 * WARN, ERROR, SILENT (tests).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { logLevelFrom } from './config';

export const SERVICE_NAME = 'wix-adaptor';

export const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: logLevelFrom() });

/** The fields of a failure worth logging; the stack only for unexpected errors. */
export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error
    ? { error: err.name, detail: err.message, stack: err.stack }
    : { error: String(err) };
}
