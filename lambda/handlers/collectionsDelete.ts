import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { deleteCollection } from '../service/collections';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    await deleteCollection(deps, ctx, request.collectionId);
    return {};
  },
});

export const handler = lambdaHandler('collectionsDelete', operation);
