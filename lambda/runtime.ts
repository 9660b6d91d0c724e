/**
 * Process-wide dependencies, built once per process (Lambda cold start or local server start):
 * the configuration, the DynamoDB client, the imported Wix public keys.
 */
import { getConfig, type Config } from './config';
import { readSecret } from './store/secrets';
import { createVerifier } from './protocol/v3/auth';
import { createDb } from './store/client';
import { errorFields, logger } from './log';
import { ServiceUnavailableError } from './errors';
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
  logger.error('purge failed; the sweep will retry it', { ...job, ...errorFields(err) });
}

let deps: Deps | undefined;

export function getDeps(): Deps {
  deps ??= buildDeps(getConfig());
  return deps;
}

/**
 * The dependencies of a Lambda request. Secrets named by ARN (legacy secret key, cursor key) are
 * read through a cache with a TTL, so a rotated secret reaches warm functions without a redeploy;
 * the clients and keys are built once, at cold start. A failed read is not cached (the next request
 * tries again) and answers a retryable 503: it is an outage (a permission or the service), not a
 * bug of the request.
 */
export async function loadDeps(): Promise<Deps> {
  const config = getConfig(); // as configured: which secrets come from Secrets Manager
  if (!config.wixSecretKeyArn && !config.cursorSecretArn) return getDeps();
  let secrets: Pick<Config, 'wixSecretKey' | 'cursorSecret'>;
  try {
    secrets = await readSecrets(config);
  } catch (err) {
    logger.error('could not read the secrets', errorFields(err));
    throw new ServiceUnavailableError('the adaptor could not read its secrets; retry later');
  }
  if (!deps) deps = buildDeps(Object.freeze({ ...config, ...secrets }));
  else if (
    deps.config.wixSecretKey !== secrets.wixSecretKey ||
    deps.config.cursorSecret !== secrets.cursorSecret
  )
    deps = { ...deps, config: Object.freeze({ ...deps.config, ...secrets }) };
  return deps;
}

async function readSecrets(config: Config): Promise<Pick<Config, 'wixSecretKey' | 'cursorSecret'>> {
  const maxAge = config.secretsMaxAgeSeconds;
  const [wixSecretKey, cursorSecret] = await Promise.all([
    config.wixSecretKeyArn
      ? readSecret(config.wixSecretKeyArn, maxAge)
      : Promise.resolve(config.wixSecretKey),
    config.cursorSecretArn
      ? readSecret(config.cursorSecretArn, maxAge)
      : Promise.resolve(config.cursorSecret),
  ]);
  return { wixSecretKey, cursorSecret };
}

export function setDeps(next: Deps | undefined): void {
  deps = next;
}
