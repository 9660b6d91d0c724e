/**
 * The one helper every loop over LastEvaluatedKey goes through. It stops when the data ends or the
 * budget (pages, items read, wall time) is spent, and says which.
 */

import type { RequestBudget } from '../model/budget';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- keys are AttributeValue maps; this helper need not know
export type Key = Record<string, any>;

export interface Page {
  Items?: unknown[];
  LastEvaluatedKey?: Key;
  ScannedCount?: number;
  Count?: number;
}

export interface Budget {
  /** The request's own budget: each page read is charged to it, and its clocks are checked. */
  readonly request?: RequestBudget;
  /** Most pages to request. */
  readonly maxPages?: number;
  /** Most items DynamoDB may read (ScannedCount) across pages. */
  readonly maxItemsRead?: number;
  /** Wall-clock limit from the first request. */
  readonly maxMillis?: number;
}

export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';
  constructor(
    readonly what: 'pages' | 'items' | 'time',
    readonly lastKey: Key | undefined,
  ) {
    super(`pagination budget exhausted (${what})`);
  }
}

/**
 * Yields pages from `fetchPage(startKey)` until the data ends. When a budget limit is reached with
 * more data left, throws BudgetExhaustedError carrying the key to resume from.
 */
export async function* paginate<P extends Page>(
  fetchPage: (startKey: Key | undefined) => Promise<P>,
  budget: Budget = {},
  startKey?: Key,
): AsyncGenerator<P, void, undefined> {
  const started = Date.now();
  let pages = 0;
  let read = 0;
  let key = startKey;
  for (;;) {
    if (pages > 0) budget.request?.check();
    const page = await fetchPage(key);
    pages += 1;
    const pageRead = page.ScannedCount ?? page.Items?.length ?? 0;
    read += pageRead;
    budget.request?.chargeRead(pageRead);
    yield page;
    key = page.LastEvaluatedKey;
    if (!key) return;
    if (budget.maxPages !== undefined && pages >= budget.maxPages)
      throw new BudgetExhaustedError('pages', key);
    if (budget.maxItemsRead !== undefined && read >= budget.maxItemsRead)
      throw new BudgetExhaustedError('items', key);
    if (budget.maxMillis !== undefined && Date.now() - started >= budget.maxMillis) {
      throw new BudgetExhaustedError('time', key);
    }
  }
}
