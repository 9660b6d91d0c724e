/** An operation as the edges see it: one service call per protocol it speaks. */
import type { Deps } from '../runtime';
import type { RequestContext } from '../model/context';

export type Json = Record<string, unknown>;

export interface Operation {
  /** V3: `request` is `data.request` of the verified JWT. Returns the response body. */
  readonly v3?: (request: Json, ctx: RequestContext, deps: Deps) => Promise<unknown>;
  /**
   * Legacy (secret key): `request` is the JSON body without `requestContext`; `path` is the route
   * table path that matched (`/data/find`, `/data/get`, ...), for operations serving several.
   */
  readonly legacy?: (request: Json, ctx: RequestContext, deps: Deps, path: string) => Promise<unknown>;
  /** Unauthenticated paths (provision): `request` is the parsed JSON body, if any. */
  readonly open?: (request: Json, deps: Deps, path: string) => Promise<unknown>;
}

export function defineOperation(op: Operation): Operation {
  return op;
}
