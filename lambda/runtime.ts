/**
 * Process-wide dependencies, built once per process (Lambda cold start or local server start):
 * the configuration, the DynamoDB client, the imported Wix public keys.
 */
import { getConfig, type Config } from './config';
import { createVerifier, type TokenVerifier } from './protocol/v3/auth';
import { createDb, type Db } from './store/client';

export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly verifyToken: TokenVerifier;
  readonly now: () => Date;
}

export function buildDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  return {
    config,
    db: overrides.db ?? createDb(config),
    verifyToken:
      overrides.verifyToken ??
      createVerifier({
        publicKeys: config.wixPublicKeys,
        audience: config.wixAppId,
        clockToleranceSeconds: config.clockToleranceSeconds,
        maxTokenAgeSeconds: config.maxTokenAgeSeconds,
      }),
    now: overrides.now ?? (() => new Date()),
  };
}

let deps: Deps | undefined;

export function getDeps(): Deps {
  deps ??= buildDeps(getConfig());
  return deps;
}

export function setDeps(next: Deps | undefined): void {
  deps = next;
}
