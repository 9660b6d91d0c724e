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

/** Partition holding the collection metadata records of one tenant. */
export function tenantMetaPk(tenant: string): string {
  return `T#${encodePart(tenant)}`;
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
  return `I#${encodePart(tenant)}#${encodePart(collectionId)}#${generation}`;
}
