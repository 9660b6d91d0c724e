/** Turns a verified JWT payload into the operation's request object and the caller's context. */
import type { JWTPayload } from 'jose';
import { BadRequestError, UnauthorizedError } from '../../errors';
import { isWellFormed } from '../../text';
import type { Caller, Identity } from '../../model/context';
import { isObject } from '../../shape';
import { LEGACY_TENANT_PREFIX } from '../../config';
import { checkTenantKeyBytes } from '../../store/keys';

export interface Envelope {
  readonly request: Record<string, unknown>;
  readonly context: Caller;
}

export interface TenantPolicy {
  readonly defaultTenant: string;
  readonly allowedTenants: readonly string[];
}

const MAX_TENANT_CHARS = 256;

export function openEnvelope(payload: JWTPayload, policy: TenantPolicy, fallbackRequestId: string): Envelope {
  const data = payload.data;
  if (!isObject(data)) throw new BadRequestError('the token payload has no data object');
  const request = data.request ?? {};
  if (!isObject(request)) throw new BadRequestError('data.request must be a JSON object');
  const metadata = data.metadata ?? {};
  if (!isObject(metadata)) throw new BadRequestError('data.metadata must be a JSON object');

  const tenant = resolveTenant(metadata.instanceId, policy, 'metadata.instanceId');
  const requestId =
    typeof metadata.requestId === 'string' && metadata.requestId.length <= 256
      ? metadata.requestId
      : fallbackRequestId;
  return { request, context: { tenant, identity: readIdentity(metadata.identity), requestId } };
}

/**
 * The V3 tenant rule: the signed instance id when given (a string of at most 256 characters that
 * fits every key), the configured default otherwise; refused when an allow-list exists and lacks
 * it. Legacy tenants (`legacy/...`) are opened by legacy secrets only, so no instance id aliases one.
 */
export function resolveTenant(instanceId: unknown, policy: TenantPolicy, fieldPath: string): string {
  let tenant = policy.defaultTenant;
  if (instanceId !== undefined && instanceId !== null && instanceId !== '') {
    if (typeof instanceId !== 'string' || instanceId.length > MAX_TENANT_CHARS || !isWellFormed(instanceId)) {
      throw new BadRequestError(`${fieldPath} must be a string of at most ${MAX_TENANT_CHARS} characters`);
    }
    checkTenantKeyBytes(instanceId, fieldPath);
    if (instanceId.startsWith(LEGACY_TENANT_PREFIX))
      throw new BadRequestError(
        `${fieldPath} must not start with ${LEGACY_TENANT_PREFIX} (reserved for legacy tenants)`,
      );
    tenant = instanceId;
  }
  if (policy.allowedTenants.length > 0 && !policy.allowedTenants.includes(tenant)) {
    throw new UnauthorizedError('TENANT_NOT_ALLOWED', 'this instance is not allowed on this adaptor');
  }
  return tenant;
}

/** Accepts the current identity shape and the older one (type/siteMemberId/...). */
export function readIdentity(raw: unknown): Identity {
  if (!isObject(raw)) return { type: 'UNKNOWN', id: undefined };
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined);
  const type = str(raw.identityType) ?? str(raw.type) ?? 'UNKNOWN';
  const id =
    str(raw.memberId) ??
    str(raw.wixUserId) ??
    str(raw.anonymousVisitorId) ??
    str(raw.appId) ??
    str(raw.siteMemberId) ??
    str(raw.userId) ??
    str(raw.siteVisitorId) ??
    str(raw.applicationId);
  return { type, id };
}
