/**
 * DynamoDB calls that stop at the request's deadline. The SDK knows only per-client settings (a
 * fixed attempt count, a fixed per-attempt timeout, a backoff that may wait seconds), so six attempts
 * of 5 s each could run long past the 29 s a function has. Two small pieces close that gap:
 *
 * - `DeadlineHttpHandler` wraps the SDK's HTTP handler: each attempt gets
 *   min(DYNAMODB_TIMEOUT_MS, time left) and none starts once the deadline has passed;
 * - `DeadlineRetryStrategy` retries what the SDK's standard strategy retries (throttling, transient
 *   errors), with the same jittered exponential backoff, but never waits past the deadline.
 *
 * The deadline is the current request's (store/requestScope.ts); outside a request nothing changes.
 */
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import { ServiceUnavailableError } from '../errors';
import { msToDeadline } from './requestScope';

const DEADLINE_MESSAGE = 'the database did not answer in the time this request has; retry later';

/** Time an attempt needs at the very least to be worth starting. */
const MIN_ATTEMPT_MS = 50;

type HandleArgs = Parameters<NodeHttpHandler['handle']>;

export class DeadlineHttpHandler implements Pick<
  NodeHttpHandler,
  'handle' | 'updateHttpClientConfig' | 'httpHandlerConfigs' | 'destroy'
> {
  private readonly inner: NodeHttpHandler;

  constructor(
    options: NodeHttpHandlerOptions,
    private readonly attemptTimeoutMs: number,
  ) {
    this.inner = new NodeHttpHandler({
      ...options,
      requestTimeout: attemptTimeoutMs,
      throwOnRequestTimeout: true,
    });
  }

  async handle(request: HandleArgs[0], options: HandleArgs[1] = {}): ReturnType<NodeHttpHandler['handle']> {
    const left = msToDeadline();
    if (left < MIN_ATTEMPT_MS) throw new ServiceUnavailableError(DEADLINE_MESSAGE);
    const requestTimeout = Math.floor(Math.min(options.requestTimeout ?? this.attemptTimeoutMs, left));
    return this.inner.handle(request, { ...options, requestTimeout });
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}

class Token implements StandardRetryToken {
  constructor(
    private readonly count: number,
    private readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
  getRetryCost(): number | undefined {
    return undefined;
  }
}

/** The SDK's defaults: 100 ms base, 500 ms for throttling, at most 20 s. */
const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

export class DeadlineRetryStrategy implements RetryStrategyV2 {
  constructor(
    private readonly maxAttempts: number,
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(): Promise<Token> {
    return new Token(0, 0);
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, info: RetryErrorInfo): Promise<Token> {
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
    const next = token.getRetryCount() + 1;
    if (!retryable || next >= this.maxAttempts) throw new Error('no retry: not retryable or out of attempts');
    const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
    const delay = Math.floor(this.random() * Math.min(MAX_DELAY_MS, base * 2 ** (next - 1)));
    // A retry that could only start after the deadline would only delay the 503.
    if (delay + MIN_ATTEMPT_MS > msToDeadline())
      throw new Error('no retry: the request deadline is too close');
    return new Token(next, delay);
  }

  recordSuccess(): void {}
}
