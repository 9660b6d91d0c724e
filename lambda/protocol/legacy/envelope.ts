/**
 * Opens a legacy request: JSON body -> secret key -> the one tenant that secret opens, and the
 * caller's identity and role from `requestContext` (wix-legacy notes §4, §5). The unsigned
 * `requestContext.instanceId` is read by no one: a secret opens its tenant whatever a body names.
 */
import { BadRequestError, UnauthorizedError } from '../../errors';
import { LEGACY_TENANT_PREFIX } from '../../config';
import type { Caller, Identity } from '../../model/context';
import type { Json } from '../operation';
import { tenantForSecret, type LegacySecretPolicy } from './auth';
import { isObject } from '../../shape';

export interface LegacyEnvelope {
  /** The body without `requestContext`. */
  readonly request: Json;
  readonly context: Caller;
  /** `requestContext.role` as sent (or `memberRole`); checked by access.ts. */
  readonly role: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined;
}

export function parseLegacyBody(body: string): Json {
  const text = body.trim();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new BadRequestError('the body is not valid JSON');
  }
  if (!isObject(parsed)) throw new BadRequestError('the body must be a JSON object');
  return parsed;
}

export interface LegacyPolicy extends LegacySecretPolicy {
  /** V3 instance ids allowed on this adaptor: also limits the ones a legacy secret is bound to. */
  readonly allowedTenants: readonly string[];
}

export function openLegacyRequest(body: string, policy: LegacyPolicy, requestId: string): LegacyEnvelope {
  const { requestContext: raw, ...request } = parseLegacyBody(body);
  const requestContext = isObject(raw) ? raw : {};
  const settings = isObject(requestContext.settings) ? requestContext.settings : {};
  const tenant = tenantForSecret(settings.secretKey, policy);
  const boundToV3 = !tenant.startsWith(LEGACY_TENANT_PREFIX);
  if (boundToV3 && policy.allowedTenants.length > 0 && !policy.allowedTenants.includes(tenant))
    throw new UnauthorizedError('TENANT_NOT_ALLOWED', 'this instance is not allowed on this adaptor');
  // The docs' table says memberRole, every example and both reference adaptors send role (§4).
  const role = requestContext.role ?? requestContext.memberRole;
  const identity: Identity = { type: str(role) ?? 'UNKNOWN', id: str(requestContext.memberId) };
  return { request, context: { tenant, identity, requestId }, role };
}
