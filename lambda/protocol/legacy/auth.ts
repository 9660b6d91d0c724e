/**
 * Legacy authentication: the site owner's Configuration JSON arrives verbatim in every body as
 * `requestContext.settings`; its `secretKey` must equal the adaptor's WIX_SECRET_KEY. Compared in
 * constant time (both sides hashed to equal-length digests first, so not even the length leaks).
 * Anything else is a 401 before any I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../errors';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Longest secret looked at; a longer one cannot match a configured key anyway. */
const MAX_SECRET_CHARS = 4096;

export function checkSecretKey(given: unknown, configured: string | undefined): void {
  if (configured === undefined || configured.length === 0) {
    throw new UnauthorizedError('NO_KEY_CONFIGURED', 'no secret key is configured on this adaptor');
  }
  if (typeof given !== 'string' || given.length === 0) {
    throw new UnauthorizedError('INVALID_SECRET_KEY', 'requestContext.settings.secretKey is missing');
  }
  const same = given.length <= MAX_SECRET_CHARS && timingSafeEqual(digest(given), digest(configured));
  if (!same) throw new UnauthorizedError('INVALID_SECRET_KEY', 'the secret key does not match');
}
