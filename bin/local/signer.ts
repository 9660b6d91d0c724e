/** Signs V3 requests exactly as Wix does: the body is a compact RS256 JWT wrapping request + metadata. */
import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';

export interface SignOptions {
  readonly privateKeyPem: string;
  readonly appId?: string;
  readonly instanceId?: string;
  readonly identity?: Record<string, unknown>;
  readonly requestId?: string;
  /** Token lifetime (exp - iat); Wix uses short-lived tokens. */
  readonly ttlSeconds?: number;
  readonly issuer?: string;
}

export const DEFAULT_IDENTITY = { identityType: 'WIX_USER', wixUserId: 'local-developer' };

export async function signV3Request(request: unknown, options: SignOptions): Promise<string> {
  const key = await importPKCS8(options.privateKeyPem, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    data: {
      request,
      metadata: {
        requestId: options.requestId ?? randomUUID(),
        instanceId: options.instanceId,
        identity: options.identity ?? DEFAULT_IDENTITY,
        languages: ['en-US'],
        currency: 'USD',
        appExtensionType: 'EXTERNAL_DATABASE_PROVIDER',
      },
    },
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? 'wix.com')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 300));
  if (options.appId) jwt.setAudience(options.appId);
  return jwt.sign(key);
}

export interface SendResult {
  readonly status: number;
  readonly body: unknown;
}

/** POSTs a body (a JWT for V3, JSON text for legacy) and parses the JSON answer. */
export async function send(url: string, body: string, contentType = 'text/plain'): Promise<SendResult> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    // not JSON: return the text as it is
  }
  return { status: res.status, body: parsed };
}

/** Turns `collections/get`, `v3/items/query` or `/provision` into a request path. */
export function pathFor(operation: string): string {
  const trimmed = operation.replace(/^\/+/, '');
  if (trimmed.startsWith('v3/') || /^(provision|schemas|data)(\/|$)/.test(trimmed)) return `/${trimmed}`;
  return `/v3/${trimmed}`;
}
