import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { createCollection } from '../service/collections';
import { newCollectionName } from '../protocol/legacy/requests';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({ collection: await createCollection(deps, ctx, request.collection) }),
  // /schemas/create: a collection with the four system fields
  legacy: async (request, ctx, deps) => {
    await createCollection(deps, ctx, { id: newCollectionName(request), fields: [] });
    return {};
  },
});

export const handler = lambdaHandler('collectionsCreate', operation);
