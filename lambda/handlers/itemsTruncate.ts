import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { truncateItems } from '../service/items';
import { collectionName } from '../protocol/legacy/requests';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    await truncateItems(deps, ctx, request.collectionId);
    return {};
  },
  legacy: async (request, ctx, deps) => {
    await truncateItems(deps, ctx, collectionName(request));
    return {};
  },
});

export const handler = lambdaHandler('itemsTruncate', operation);
