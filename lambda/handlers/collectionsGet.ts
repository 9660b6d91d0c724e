import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { listCollections, parseCollectionIds } from '../service/collections';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({
    collections: await listCollections(deps, ctx, parseCollectionIds(request.collectionIds)),
  }),
});

export const handler = lambdaHandler('collectionsGet', operation);
