import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { createIndex } from '../service/indexes';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({
    index: await createIndex(deps, ctx, request.collectionId, request.index),
  }),
});

export const handler = lambdaHandler('indexesCreate', operation);
