/**
 * What the DynamoDB client knows about the request it is serving. The client is built once per
 * process, but its retries must stop at the request's deadline and the capacity it consumes must be
 * counted per request (logs, metrics, who costs what). The pipeline runs each request inside one
 * scope; the client's handler, retry strategy and capacity middleware read it. Outside any scope
 * (jobs, the local purge, tests of the store) nothing is limited or counted per request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestBudget } from '../model/budget';

/** DynamoDB work done for one request. */
export interface RequestUsage {
  /** DynamoDB calls, counting each SDK command once (retries included in one call). */
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Items DynamoDB read for Query/Scan (ScannedCount) and items returned by GetItem/BatchGetItem. */
  itemsRead: number;
}

export interface RequestScope {
  readonly budget: RequestBudget;
  readonly usage: RequestUsage;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function emptyUsage(): RequestUsage {
  return { requests: 0, readUnits: 0, writeUnits: 0, itemsRead: 0 };
}

/** Runs `fn` with `scope` visible to every DynamoDB call it makes, however deep. */
export function inRequestScope<T>(scope: RequestScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

/**
 * Runs `fn` outside any request scope: background work a request only starts (a local index build)
 * must not inherit that request's deadline, nor be counted in its usage after it has answered.
 */
export function outsideRequestScope<T>(fn: () => T): T {
  return storage.exit(fn);
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Milliseconds before the current request's hard deadline; Infinity outside a request. */
export function msToDeadline(): number {
  return storage.getStore()?.budget.msToDeadline() ?? Number.POSITIVE_INFINITY;
}
