import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { updateCollection } from '../service/collections';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({ collection: await updateCollection(deps, ctx, request.collection) }),
});

export const handler = lambdaHandler('collectionsUpdate', operation);
