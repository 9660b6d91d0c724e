/**
 * Opens a legacy request: JSON body -> secret key check -> tenant and identity from
 * `requestContext` (wix-legacy notes §4, §5.1). The tenant rule is the V3 one (resolveTenant), so a
 * collection is the same data whichever protocol reads it.
 */
import { BadRequestError } from '../../errors';
import type { Caller, Identity } from '../../model/context';
import type { Json } from '../operation';
import { resolveTenant, type TenantPolicy } from '../v3/envelope';
import { checkSecretKey } from './auth';
import { isObject } from '../../shape';

export interface LegacyEnvelope {
  /** The body without `requestContext`. */
  readonly request: Json;
  readonly context: Caller;
}

export interface LegacyOptions {
  /**
   * /provision: Wix's example sends only `settings` and `installationId` (notes §4), so a missing
   * instanceId is not refused by the allow-list there (provision touches no data).
   */
  readonly instanceOptional?: boolean;
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

export function openLegacyRequest(
  body: string,
  policy: TenantPolicy & { readonly wixSecretKey: string | undefined },
  requestId: string,
  options: LegacyOptions = {},
): LegacyEnvelope {
  const { requestContext: raw, ...request } = parseLegacyBody(body);
  const requestContext = isObject(raw) ? raw : {};
  const settings = isObject(requestContext.settings) ? requestContext.settings : {};
  checkSecretKey(settings.secretKey, policy.wixSecretKey);

  const instanceId = requestContext.instanceId;
  const absent = instanceId === undefined || instanceId === null || instanceId === '';
  const tenant =
    absent && options.instanceOptional
      ? policy.defaultTenant
      : resolveTenant(instanceId, policy, 'requestContext.instanceId');
  // The docs' table says memberRole, every example and both reference adaptors send role (§4).
  const identity: Identity = {
    type: str(requestContext.role) ?? str(requestContext.memberRole) ?? 'UNKNOWN',
    id: str(requestContext.memberId),
  };
  return { request, context: { tenant, identity, requestId } };
}
