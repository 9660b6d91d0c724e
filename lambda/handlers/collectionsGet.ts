import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { listCollections, parseCollectionIds } from '../service/collections';
import { parseSchemaIds } from '../protocol/legacy/requests';
import { allowedOperations, toLegacyHeader, toLegacySchema } from '../protocol/legacy/schema';
import type { WireCollection } from '../service/collectionModel';
import { CollectionNotFoundError } from '../errors';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({
    collections: await listCollections(deps, ctx, parseCollectionIds(request.collectionIds)),
  }),
  // /schemas/list, /schemas/list/headers, /schemas/find
  legacy: async (request, ctx, deps, path) => {
    if (path === '/schemas/find') {
      const ids = parseSchemaIds(request);
      const found = await listCollections(deps, ctx, ids);
      // Unknown ids are left out; none found is a 404 (Wix docs, legacy notes §10.3).
      if (found.length === 0) throw new CollectionNotFoundError(ids.join(', '));
      return { schemas: found.map(legacySchema) };
    }
    const all = await listCollections(deps, ctx, undefined);
    if (path === '/schemas/list/headers') return { schemas: all.map(toLegacyHeader) };
    return { schemas: all.map(legacySchema) };
  },
});

/** Legacy operations that only read: all a read-only collection (an attached table) offers. */
const LEGACY_READS = new Set(['get', 'find', 'count']);

function legacySchema(c: WireCollection) {
  const readOnly = !c.capabilities.dataOperations.includes('INSERT');
  return toLegacySchema(
    c,
    allowedOperations().filter((op) => !readOnly || LEGACY_READS.has(op)),
  );
}

export const handler = lambdaHandler('collectionsGet', operation);
