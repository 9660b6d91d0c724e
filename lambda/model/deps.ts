/**
 * What every service function is handed: the process-wide dependencies, built once per process by
 * `runtime.ts`. The interface lives here, below the services and the edges, so that neither has to
 * import the module that builds it.
 */
import type { JWTPayload } from 'jose';
import type { Config } from '../config';
import type { Db } from '../store/client';
import type { IndexBuilder } from '../store/indexBuild';
import type { Purger } from '../store/purge';

/** Verifies a V3 request body (a JWT) and returns its payload; throws UnauthorizedError otherwise. */
export type TokenVerifier = (rawBody: string) => Promise<JWTPayload>;

export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly verifyToken: TokenVerifier;
  readonly now: () => Date;
  readonly purger: Purger;
  /** Starts index backfills (service/indexBuild.ts); the purge function runs them on AWS. */
  readonly indexBuilder: IndexBuilder;
}
