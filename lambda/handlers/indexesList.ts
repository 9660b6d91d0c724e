import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { listIndexes } from '../service/indexes';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({ indexes: await listIndexes(deps, ctx, request.collectionId) }),
});

export const handler = lambdaHandler('indexesList', operation);
