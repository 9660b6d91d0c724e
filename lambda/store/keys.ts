import { ValidationError } from '../errors';
import { isWellFormed } from '../text';
/**
 * Key encoding. Tenant and collection ids are percent-encoded so that the `#` separator can never
 * occur inside a component: tenant "a#b" and tenant "a" with collection "b#..." stay apart.
 */

export function encodePart(value: string): string {
  // Entry points refuse ill-formed strings; this is the backstop (a 400, never a URIError 500).
  if (!isWellFormed(value))
    throw new ValidationError('identifiers must be valid Unicode (no lone surrogates)');
  return encodeURIComponent(value);
}

/**
 * Longest tenant, once percent-encoded, that every key holding it can carry. The tightest key is the
 * purge marker's sort key (tenant#collection#generation, at most 1024 bytes) with a collection id of
 * up to 256 bytes: 512 leaves room for both. A Wix instance id (a UUID) is 36 bytes; 256 CJK
 * characters are 2,304 bytes and would otherwise reach DynamoDB as a key it refuses (a 500).
 */
export const MAX_TENANT_KEY_BYTES = 512;
/** DynamoDB's limits on one partition / sort key value, in UTF-8 bytes. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

/** Whether a key value is within DynamoDB's limit (a longer one is refused with a 500-looking error). */
export function keyFits(key: string, limit: number): boolean {
  return Buffer.byteLength(key, 'utf8') <= limit;
}

/** Refuses, before any I/O, a tenant too long for the keys it goes into (a 400 naming the field). */
export function checkTenantKeyBytes(tenant: string, fieldPath: string): void {
  const bytes = Buffer.byteLength(encodePart(tenant), 'utf8');
  if (bytes > MAX_TENANT_KEY_BYTES) {
    throw new ValidationError(
      `${fieldPath} is too long: at most ${MAX_TENANT_KEY_BYTES} bytes once percent-encoded (a Wix instance id has 36)`,
      [{ fieldPath, message: `at most ${MAX_TENANT_KEY_BYTES} bytes percent-encoded` }],
    );
  }
}

/** The backstop for every partition key built here: too long is a 400, never a DynamoDB 500. */
function partitionKey(key: string, what: string): string {
  if (Buffer.byteLength(key, 'utf8') > MAX_PARTITION_KEY_BYTES)
    throw new ValidationError(
      `the ${what} is too long to be stored (its key exceeds ${MAX_PARTITION_KEY_BYTES} bytes)`,
    );
  return key;
}

/** Partition holding the collection metadata records of one tenant. */
export function tenantMetaPk(tenant: string): string {
  return partitionKey(`T#${encodePart(tenant)}`, 'tenant id');
}

/** Sort key of one collection's metadata record. */
export function collectionSk(collectionId: string): string {
  return `C#${collectionId}`;
}

export function collectionIdFromSk(sk: string): string {
  return sk.slice(2);
}

/** Partition holding the items of one generation of one collection. */
export function itemsPk(tenant: string, collectionId: string, generation: string): string {
  return partitionKey(
    `I#${encodePart(tenant)}#${encodePart(collectionId)}#${generation}`,
    'tenant or collection id',
  );
}
