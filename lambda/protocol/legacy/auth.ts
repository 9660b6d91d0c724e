/**
 * Legacy authentication: the site owner's Configuration JSON arrives verbatim in every body as
 * `requestContext.settings`; its `secretKey` decides the one tenant the request may touch. Nothing
 * else does: `requestContext.instanceId` is unsigned, so it never chooses a tenant.
 *
 * - The master secret (WIX_SECRET_KEY) opens the tenant configured for it (WIX_SECRET_KEY_TENANT:
 *   by default `legacy/default`, or a V3 instance id when bound on purpose, or nothing at all).
 * - A site secret (siteSecrets.ts) opens the tenant it was issued for.
 *
 * The master is compared in constant time (both sides hashed to equal-length digests first, so not
 * even the length leaks); anything else is a 401 before any I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../errors';
import { verifySiteSecret } from './siteSecrets';

export interface LegacySecretPolicy {
  readonly wixSecretKey: string | undefined;
  readonly legacyMasterTenant: string | undefined;
  readonly legacyRevokedSecrets: readonly string[];
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Longest secret looked at; a longer one cannot match a configured key or an issued site secret. */
const MAX_SECRET_CHARS = 4096;

/** The tenant the presented secret opens; a 401 when it opens none. */
export function tenantForSecret(given: unknown, policy: LegacySecretPolicy): string {
  const master = policy.wixSecretKey;
  if (master === undefined || master.length === 0) {
    throw new UnauthorizedError('NO_KEY_CONFIGURED', 'no secret key is configured on this adaptor');
  }
  if (typeof given !== 'string' || given.length === 0) {
    throw new UnauthorizedError('INVALID_SECRET_KEY', 'requestContext.settings.secretKey is missing');
  }
  if (given.length > MAX_SECRET_CHARS) {
    throw new UnauthorizedError('INVALID_SECRET_KEY', 'the secret key does not match');
  }
  if (timingSafeEqual(digest(given), digest(master))) {
    if (policy.legacyMasterTenant === undefined) {
      throw new UnauthorizedError(
        'INVALID_SECRET_KEY',
        'the master secret opens no tenant on this adaptor; use the site secret issued for this site',
      );
    }
    return policy.legacyMasterTenant;
  }
  const site = verifySiteSecret(given, master, policy.legacyRevokedSecrets);
  if (!site) throw new UnauthorizedError('INVALID_SECRET_KEY', 'the secret key does not match');
  return site.tenant;
}
