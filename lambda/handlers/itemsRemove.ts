import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { v3Results } from '../protocol/v3/results';
import { parseIdsRequest } from '../service/itemRequests';
import { removeItems } from '../service/items';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, itemIds } = parseIdsRequest(request);
    return v3Results('item', await removeItems(deps, ctx, collectionId, itemIds));
  },
});

export const handler = lambdaHandler('itemsRemove', operation);
