import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { createCollection } from '../service/collections';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({ collection: await createCollection(deps, ctx, request.collection) }),
});

export const handler = lambdaHandler('collectionsCreate', operation);
