/**
 * Process-wide dependencies, built once per process (Lambda cold start or local server start):
 * the configuration, the DynamoDB client, the imported Wix public keys.
 */
import { getConfig, type Config } from './config';
import { readSecret } from './store/secrets';
import { createVerifier } from './protocol/v3/auth';
import { createDb } from './store/client';
import { errorFields, log } from './log';
import { LambdaPurger, LocalPurger, type PurgeJob } from './store/purge';
import { LambdaIndexBuilder } from './store/indexBuild';
import { LocalIndexBuilder } from './service/indexBuild';
import type { Deps } from './model/deps';

export type { Deps };

export function buildDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const db = overrides.db ?? createDb(config);
  const built: Deps = {
    config,
    db,
    verifyToken:
      overrides.verifyToken ??
      createVerifier({
        publicKeys: config.wixPublicKeys,
        audience: config.wixAppId,
        acceptAnyAudience: config.acceptAnyAudience,
        clockToleranceSeconds: config.clockToleranceSeconds,
        maxTokenAgeSeconds: config.maxTokenAgeSeconds,
      }),
    now: overrides.now ?? (() => new Date()),
    purger:
      overrides.purger ??
      (config.purgeFunctionName
        ? new LambdaPurger(config.purgeFunctionName, config.region)
        : new LocalPurger(db, logPurgeFailure, config.purgeGraceMs)),
    indexBuilder:
      overrides.indexBuilder ??
      (config.purgeFunctionName
        ? new LambdaIndexBuilder(config.purgeFunctionName, config.region)
        : new LocalIndexBuilder(() => built)),
  };
  return built;
}

function logPurgeFailure(err: unknown, job: PurgeJob): void {
  log('error', 'purge failed; the sweep will retry it', { ...job, ...errorFields(err) });
}

let deps: Deps | undefined;
let loading: Promise<Deps> | undefined;

export function getDeps(): Deps {
  deps ??= buildDeps(getConfig());
  return deps;
}

/**
 * Lambda cold start: reads the secrets named by ARN (legacy secret key, cursor key) once, then builds
 * the dependencies. A failure is not cached, so the next request tries again.
 */
export function loadDeps(): Promise<Deps> {
  if (deps) return Promise.resolve(deps);
  loading ??= (async () => {
    const config = await withSecrets(getConfig());
    deps = buildDeps(config);
    return deps;
  })().finally(() => (loading = undefined));
  return loading;
}

async function withSecrets(config: Config): Promise<Config> {
  const [wixSecretKey, cursorSecret] = await Promise.all([
    config.wixSecretKey === undefined && config.wixSecretKeyArn
      ? readSecret(config.wixSecretKeyArn, config.region)
      : Promise.resolve(config.wixSecretKey),
    config.cursorSecretArn
      ? readSecret(config.cursorSecretArn, config.region)
      : Promise.resolve(config.cursorSecret),
  ]);
  return Object.freeze({ ...config, wixSecretKey, cursorSecret });
}

export function setDeps(next: Deps | undefined): void {
  deps = next;
}
