/**
 * One request's limits, shared by every loop the request drives: DynamoDB pages, in-memory filter
 * evaluation, sorting, aggregation, includes. Created once per request by the pipeline and carried
 * in the RequestContext, so a request that reads in several places (a query and its includes) is
 * charged once, against one clock.
 *
 * Two clocks:
 * - the query budget (`QUERY_MAX_MILLIS`, `QUERY_MAX_ITEMS_READ`): a request that asks for too much
 *   work is the caller's problem, a 400 QUERY_TOO_EXPENSIVE;
 * - the hard deadline (the invocation's remaining time minus a margin, on Lambda): past it the
 *   answer is a retryable 503 sent before the function would be killed.
 */
import { QueryTooExpensiveError, ServiceUnavailableError } from '../errors';

export interface BudgetLimits {
  /** Most items DynamoDB may read for this request, across every read it makes. */
  readonly maxItemsRead: number;
  /** Longest the request may work, in milliseconds, from its start. */
  readonly maxMillis: number;
  /** Epoch milliseconds after which nothing more may start (undefined: no hard deadline). */
  readonly deadline?: number;
}

/** How many calls of `tick()` between two clock reads: cheap enough for per-row loops. */
const TICKS_PER_CHECK = 64;

export class RequestBudget {
  readonly startedAt: number;
  readonly maxItemsRead: number;
  /** When the query budget runs out (epoch ms). */
  readonly budgetEndsAt: number;
  /** When the hard deadline passes (epoch ms); Infinity when there is none. */
  readonly deadline: number;
  private read = 0;
  private ticks = 0;

  constructor(
    limits: BudgetLimits,
    private readonly clock: () => number = Date.now,
  ) {
    this.startedAt = clock();
    this.maxItemsRead = limits.maxItemsRead;
    this.budgetEndsAt = this.startedAt + limits.maxMillis;
    this.deadline = limits.deadline ?? Number.POSITIVE_INFINITY;
  }

  /** A budget with no limits, for work no request drives (jobs, tests of pure code). */
  static unlimited(): RequestBudget {
    return new RequestBudget({ maxItemsRead: Number.POSITIVE_INFINITY, maxMillis: Number.POSITIVE_INFINITY });
  }

  get itemsRead(): number {
    return this.read;
  }

  /** Milliseconds left before the earlier of the two clocks runs out (never negative). */
  remainingMs(): number {
    return Math.max(0, Math.min(this.budgetEndsAt, this.deadline) - this.clock());
  }

  /** Milliseconds left before the hard deadline (Infinity without one). */
  msToDeadline(): number {
    return Math.max(0, this.deadline - this.clock());
  }

  /** Counts items DynamoDB read. The next `check()` refuses to go on once the limit is passed. */
  chargeRead(items: number): void {
    this.read += items;
  }

  /** Throws when the request has read more than it may, or either clock has run out. Call before I/O. */
  check(): void {
    if (this.read >= this.maxItemsRead) {
      throw new QueryTooExpensiveError(
        `the request reads more than ${this.maxItemsRead} items; narrow the filter, add an index or sort by _id`,
      );
    }
    this.checkTime();
  }

  /** Throws when either clock has run out. */
  checkTime(): void {
    const now = this.clock();
    if (now >= this.deadline) {
      throw new ServiceUnavailableError('the request ran out of time before it could finish; retry later');
    }
    if (now >= this.budgetEndsAt) {
      throw new QueryTooExpensiveError(
        'the request needs more time than one request may take; narrow the filter, add an index or sort by _id',
      );
    }
  }

  /** For CPU loops: reads the clock every few calls, so per-row checks stay cheap. */
  tick(): void {
    this.ticks += 1;
    if (this.ticks % TICKS_PER_CHECK === 0) this.checkTime();
  }
}
