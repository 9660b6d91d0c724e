/** What every service function knows about the caller, whichever protocol it came through. */
import type { RequestBudget } from './budget';

export interface Identity {
  readonly type: string;
  /** The id of the caller (member, user, visitor or app), used as `_owner` of new items. */
  readonly id: string | undefined;
}

export interface RequestContext {
  /** The tenant: the Wix app instance (site installation). Every key is scoped by it. */
  readonly tenant: string;
  readonly identity: Identity;
  readonly requestId: string;
  /** The request's read, time and deadline limits, shared by every loop it drives. */
  readonly budget: RequestBudget;
}

/** The caller as a protocol edge reads it from the request, before the pipeline adds the budget. */
export type Caller = Omit<RequestContext, 'budget'>;
