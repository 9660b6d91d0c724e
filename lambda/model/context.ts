/** What every service function knows about the caller, whichever protocol it came through. */

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
}
