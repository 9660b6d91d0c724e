/**
 * Low-level JWS building for hostile tests: any header, any payload bytes, signed with any key (or
 * not at all). Payloads are built as text so that `__proto__` keys, 10,000-deep nesting, lone
 * surrogates and invalid UTF-8 reach the adaptor exactly as written.
 */
import { randomUUID, sign } from 'node:crypto';
import { TEST_APP_ID } from '../helpers/keys';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function b64url(v: string | Buffer): string {
  return (typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64url');
}

/** A compact JWS: `header` as an object or raw JSON text, payload as raw text or bytes, RS256 over both. */
export function jws(
  header: Record<string, unknown> | string,
  payload: string | Buffer,
  privateKeyPem: string | null,
): string {
  const h = b64url(typeof header === 'string' ? header : JSON.stringify(header));
  const p = b64url(payload);
  const sig = privateKeyPem
    ? sign('sha256', Buffer.from(`${h}.${p}`), privateKeyPem).toString('base64url')
    : '';
  return `${h}.${p}.${sig}`;
}

export interface PayloadOptions {
  tenant?: string | undefined;
  /**
   * Registered claims merged over the defaults (iss wix.com, aud the test app id, iat now,
   * exp now+300). `undefined` drops one.
   */
  claims?: Record<string, unknown>;
  /** Raw JSON text of data.metadata (overrides tenant). */
  metadataText?: string;
  /** Raw JSON text of `data` (overrides request and metadata). */
  dataText?: string;
}

/** The JWT payload as text, with `requestText` spliced in verbatim as data.request. */
export function payloadText(requestText: string | undefined, opts: PayloadOptions = {}): string {
  const t = nowSeconds();
  const claims: Record<string, unknown> = {
    iss: 'wix.com',
    aud: TEST_APP_ID,
    iat: t,
    exp: t + 300,
    ...opts.claims,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  const metadata =
    opts.metadataText ??
    JSON.stringify({
      requestId: randomUUID(),
      instanceId: opts.tenant,
      identity: { identityType: 'WIX_USER', wixUserId: 'hostile-tester' },
      appExtensionType: 'EXTERNAL_DATABASE_PROVIDER',
    });
  const data =
    opts.dataText ??
    `{${requestText === undefined ? '' : `"request":${requestText},`}"metadata":${metadata}}`;
  const rest = JSON.stringify(claims).slice(1); // `"iss":...}`
  return `{"data":${data}${rest === '}' ? '}' : `,${rest}`}`;
}

/** A properly signed V3 token whose data.request is `requestText` verbatim. */
export function signedText(requestText: string, privateKeyPem: string, opts: PayloadOptions = {}): string {
  return jws({ alg: 'RS256', typ: 'JWT' }, payloadText(requestText, opts), privateKeyPem);
}

/** `{"a":{"a":...1...}}`, `depth` levels, as text (no recursion anywhere). */
export function deepObjectText(depth: number, key = 'a', leaf = '1'): string {
  const k = JSON.stringify(key);
  return `{${k}:`.repeat(depth) + leaf + '}'.repeat(depth);
}

/** `[[[...]]]`, `depth` levels, as text. */
export function deepArrayText(depth: number, leaf = '1'): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

/** A filter nested `depth` levels through `wrap` (`$and`, `$or`, `$not`, `$notArr`), as text. */
export function deepFilterText(
  depth: number,
  wrap: '$and' | '$or' | '$not' | '$notArr',
  leaf = '{"title":"x"}',
): string {
  const open = wrap === '$not' ? '{"$not":' : wrap === '$notArr' ? '{"$not":[' : `{"${wrap}":[`;
  const close = wrap === '$not' ? '}' : ']}';
  return open.repeat(depth) + leaf + close.repeat(depth);
}
