/**
 * V3 authentication: the request body is a compact RS256 JWT signed by Wix. It is verified before
 * anything else looks at it; any failure is an UnauthorizedError that says why.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { UnauthorizedError, type UnauthorizedReason } from '../../errors';
import type { TokenVerifier } from '../../model/deps';
import { logger } from '../../log';
import { isCompactJws } from '../compactJws';

export interface VerifierOptions {
  readonly publicKeys: readonly string[];
  /** The app id tokens must name as audience; undefined only together with acceptAnyAudience. */
  readonly audience: string | undefined;
  /** WIX_APP_ID=*: the operator's explicit choice to accept tokens minted for any Wix app. */
  readonly acceptAnyAudience?: boolean;
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number;
}

export const WIX_ISSUER = 'wix.com';
/** A JWT longer than this is not one Wix would send (bodies are at most 6 MB, base64 grows 4/3). */
const MAX_TOKEN_CHARS = 8 * 1024 * 1024 + 1024;

export type { TokenVerifier };

/** Builds a verifier once per process: keys are parsed and imported here, not per request. */
export function createVerifier(options: VerifierOptions): TokenVerifier {
  const keys: KeyObject[] = options.publicKeys.map((pem) => {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('WIX_PUBLIC_KEY must be an RSA public key');
    return key;
  });
  if (keys.length > 0 && !options.audience) {
    // A token Wix minted for any other app would pass: only ever by explicit choice, and said so.
    if (!options.acceptAnyAudience)
      throw new Error('WIX_APP_ID is not set: set it to your Wix app id, or to * to accept any audience');
    logger.warn(
      'WIX_APP_ID=*: V3 tokens are accepted whatever app they were minted for (audience not checked)',
    );
  }

  return async (rawBody: string): Promise<JWTPayload> => {
    if (keys.length === 0) {
      throw new UnauthorizedError('NO_KEY_CONFIGURED', 'no Wix public key is configured on this adaptor');
    }
    const token = extractToken(rawBody);
    const header = readHeader(token);
    if (header.alg !== 'RS256') {
      throw new UnauthorizedError(
        'UNSUPPORTED_ALGORITHM',
        `token algorithm ${JSON.stringify(header.alg ?? null)} is not allowed; only RS256 is accepted`,
      );
    }
    let lastSignatureError: unknown;
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['RS256'],
          issuer: WIX_ISSUER,
          ...(options.audience ? { audience: options.audience } : {}),
          requiredClaims: ['exp'],
          clockTolerance: options.clockToleranceSeconds,
        });
        checkLifetime(payload, options);
        return payload;
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
          lastSignatureError = err;
          continue; // try the next key (rotation)
        }
        throw translate(err);
      }
    }
    throw translate(lastSignatureError);
  };
}

function extractToken(rawBody: string): string {
  let text = (rawBody ?? '').trim();
  if (text.length === 0)
    throw new UnauthorizedError('MISSING_TOKEN', 'the request body is empty; expected a JWT');
  if (text.length > MAX_TOKEN_CHARS) throw new UnauthorizedError('MALFORMED_TOKEN', 'the token is too long');
  if (text.startsWith('"')) {
    try {
      const unquoted: unknown = JSON.parse(text);
      if (typeof unquoted === 'string') text = unquoted.trim();
    } catch {
      throw new UnauthorizedError('MALFORMED_TOKEN', 'the body is a broken JSON string; expected a JWT');
    }
  } else if (text.startsWith('{') || text.startsWith('[')) {
    throw new UnauthorizedError(
      'MALFORMED_TOKEN',
      'the body is JSON, not a JWT: Wix V3 sends the signed JWT itself as the body ' +
        '(a legacy secret-key client must use the /provision, /schemas and /data paths)',
    );
  }
  if (!isCompactJws(text)) {
    throw new UnauthorizedError(
      'MALFORMED_TOKEN',
      'the body is not a compact JWT (three base64url segments)',
    );
  }
  return text;
}

function readHeader(token: string): { alg?: string } {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new UnauthorizedError('MALFORMED_TOKEN', 'the JWT header is not valid base64url JSON');
  }
}

function checkLifetime(payload: JWTPayload, options: VerifierOptions): void {
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp!;
  const max = options.maxTokenAgeSeconds;
  if (typeof payload.iat === 'number' && exp - payload.iat > max) {
    throw new UnauthorizedError('TOKEN_TOO_LONG_LIVED', `token lifetime exceeds ${max} seconds`);
  }
  if (exp - now > max + options.clockToleranceSeconds) {
    throw new UnauthorizedError('TOKEN_TOO_LONG_LIVED', `token expires more than ${max} seconds from now`);
  }
  if (typeof payload.iat === 'number' && payload.iat > now + options.clockToleranceSeconds) {
    throw new UnauthorizedError('TOKEN_NOT_YET_VALID', 'token issued in the future (iat)');
  }
}

function translate(err: unknown): UnauthorizedError {
  if (err instanceof UnauthorizedError) return err;
  if (err instanceof joseErrors.JWTExpired)
    return new UnauthorizedError('TOKEN_EXPIRED', 'the token has expired (exp)');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const byClaim: Record<string, [UnauthorizedReason, string]> = {
      iss: ['INVALID_ISSUER', `the token issuer (iss) must be ${WIX_ISSUER}`],
      aud: ['INVALID_AUDIENCE', 'the token audience (aud) is not this app id'],
      exp: ['MISSING_EXPIRY', 'the token has no valid expiry (exp)'],
      nbf: ['TOKEN_NOT_YET_VALID', 'the token is not valid yet (nbf)'],
      iat: ['TOKEN_NOT_YET_VALID', 'the token issue time (iat) is invalid'],
    };
    const [reason, message] = byClaim[err.claim] ?? ['INVALID_PAYLOAD', `claim ${err.claim} is invalid`];
    return new UnauthorizedError(reason, message);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new UnauthorizedError(
      'INVALID_SIGNATURE',
      'the signature does not match any configured Wix public key',
    );
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return new UnauthorizedError('UNSUPPORTED_ALGORITHM', 'only RS256 is accepted');
  }
  if (err instanceof joseErrors.JWTInvalid) {
    return new UnauthorizedError('INVALID_PAYLOAD', 'the token payload is not a JSON object');
  }
  if (err instanceof joseErrors.JOSEError) {
    return new UnauthorizedError('MALFORMED_TOKEN', 'the token could not be parsed');
  }
  return new UnauthorizedError('MALFORMED_TOKEN', 'the token could not be verified');
}
