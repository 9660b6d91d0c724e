/**
 * Site secrets: one legacy secret per site, each opening exactly one tenant, derived from the master
 * secret (WIX_SECRET_KEY) so the adaptor verifies them with no table, no state and no I/O.
 *
 *   wxs1.<tenant, base64url>.<generation>.<HMAC-SHA256(master, "wxs1\n" tenant "\n" generation), base64url>
 *
 * The tenant travels inside the secret and is covered by the MAC: only the holder of the master
 * secret (the operator, through `npm run wix -- issue-secret`) decides which tenant a secret opens.
 * The generation lets one site's secret be replaced: issue generation n+1, paste it into the CMS,
 * then revoke `<tenant>@<n>` (LEGACY_REVOKED_SECRETS). Revoking `<tenant>` closes every generation;
 * replacing the master secret closes every site secret at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LEGACY_TENANT_PREFIX } from '../../config';
import { checkTenantKeyBytes } from '../../store/keys';

export const SITE_SECRET_PREFIX = 'wxs1.';
/** A site name: what the operator calls the site; its tenant is `legacy/<site>`. */
export const SITE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_GENERATION = 1_000_000;

export interface SiteSecret {
  readonly tenant: string;
  readonly generation: number;
}

function mac(master: string, tenant: string, generation: number): Buffer {
  return createHmac('sha256', master).update(`wxs1\n${tenant}\n${generation}`, 'utf8').digest();
}

/** The tenant of a named legacy site. `default` is the master secret's own tenant, so it is not a site. */
export function siteTenant(site: string): string {
  if (!SITE_NAME.test(site) || site === 'default') {
    throw new Error(
      `site name ${JSON.stringify(site)}: use 1-63 lower-case letters, digits and inner dashes (not "default")`,
    );
  }
  return `${LEGACY_TENANT_PREFIX}${site}`;
}

/**
 * Issues the secret that opens `tenant`: a `legacy/<site>` tenant, or (an explicit choice of the
 * operator, to share data with a V3 installation) a V3 instance id.
 */
export function issueSiteSecret(master: string, tenant: string, generation = 1): string {
  if (!master) throw new Error('the master secret (WIX_SECRET_KEY) is empty');
  if (!Number.isInteger(generation) || generation < 1 || generation > MAX_GENERATION)
    throw new Error(`the generation must be an integer from 1 to ${MAX_GENERATION}`);
  checkTenantKeyBytes(tenant, 'tenant');
  const encoded = Buffer.from(tenant, 'utf8').toString('base64url');
  return `${SITE_SECRET_PREFIX}${encoded}.${generation}.${mac(master, tenant, generation).toString('base64url')}`;
}

/**
 * The tenant a presented site secret opens, or undefined when it is not a valid, unrevoked secret
 * issued with this master. The MAC is compared in constant time.
 */
export function verifySiteSecret(
  given: string,
  master: string,
  revoked: readonly string[],
): SiteSecret | undefined {
  if (!given.startsWith(SITE_SECRET_PREFIX)) return undefined;
  const parts = given.slice(SITE_SECRET_PREFIX.length).split('.');
  if (parts.length !== 3) return undefined;
  const [encoded, genText, macText] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || !/^[1-9][0-9]{0,6}$/.test(genText)) return undefined;
  const generation = Number(genText);
  if (generation > MAX_GENERATION) return undefined;
  const tenant = Buffer.from(encoded, 'base64url').toString('utf8');
  // A tenant that does not survive the round trip was not issued by issueSiteSecret.
  if (Buffer.from(tenant, 'utf8').toString('base64url') !== encoded) return undefined;
  const expected = mac(master, tenant, generation);
  const presented = Buffer.from(macText, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
  if (revoked.includes(tenant) || revoked.includes(`${tenant}@${generation}`)) return undefined;
  return { tenant, generation };
}
