/**
 * A Lambda-like invocation context for the local server, so local requests run the same pipeline
 * (Powertools Logger fields, deadline) as on AWS. The time left counts down from REQUEST_TIMEOUT_MS,
 * as a function's does from its timeout.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from '../../lambda/pipeline';

export function localContext(operation: string, timeoutMs: number, now: () => number = Date.now): Context {
  const started = now();
  const functionName = `local-${operation}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
