/** Request scopes for tests of what outlives a request. */
import { RequestBudget } from '../../lambda/model/budget';
import { emptyUsage, type RequestScope } from '../../lambda/store/requestScope';

/**
 * The scope of a request already past its deadline and unlimited otherwise: background work it
 * schedules (index builds, purges) must not inherit that deadline, nor charge its usage.
 */
export function expiredRequestScope(): RequestScope {
  return {
    budget: new RequestBudget({
      maxItemsRead: Number.POSITIVE_INFINITY,
      maxMillis: Number.POSITIVE_INFINITY,
      deadline: Date.now() - 1,
    }),
    usage: emptyUsage(),
  };
}
