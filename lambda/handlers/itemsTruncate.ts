import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { truncateItems } from '../service/items';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    await truncateItems(deps, ctx, request.collectionId);
    return {};
  },
});

export const handler = lambdaHandler('itemsTruncate', operation);
