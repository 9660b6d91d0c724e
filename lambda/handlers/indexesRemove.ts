import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { removeIndex } from '../service/indexes';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    await removeIndex(deps, ctx, request.collectionId, request.indexName);
    return {};
  },
});

export const handler = lambdaHandler('indexesRemove', operation);
