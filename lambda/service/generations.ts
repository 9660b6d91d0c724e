/**
 * The last generation this process saw for each of its own collections: a hint that lets an `_id`
 * lookup read the item at once, in parallel with the collection record that verifies it
 * (service/idLookup.ts). Never trusted alone: a truncate (here or in another process) or a delete
 * shows in the record read, and the speculative read is then discarded.
 *
 * Keyed by the DynamoDB client, which is built once per process (tests build one per simulated
 * process), and bounded: the oldest entries go first.
 */
import type { Db } from '../store/client';

export const MAX_KNOWN_GENERATIONS = 10_000;

const known = new WeakMap<Db, Map<string, string>>();

const keyOf = (tenant: string, collectionId: string) => JSON.stringify([tenant, collectionId]);

export function knownGeneration(db: Db, tenant: string, collectionId: string): string | undefined {
  return known.get(db)?.get(keyOf(tenant, collectionId));
}

export function rememberGeneration(db: Db, tenant: string, collectionId: string, generation: string): void {
  let map = known.get(db);
  if (!map) known.set(db, (map = new Map()));
  const key = keyOf(tenant, collectionId);
  // re-inserted so that the map's order is the order of last use
  map.delete(key);
  map.set(key, generation);
  if (map.size > MAX_KNOWN_GENERATIONS) map.delete(map.keys().next().value!);
}

export function forgetGeneration(db: Db, tenant: string, collectionId: string): void {
  known.get(db)?.delete(keyOf(tenant, collectionId));
}
