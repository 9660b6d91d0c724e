import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { v3Results } from '../protocol/v3/results';
import { parseItemsRequest } from '../service/itemRequests';
import { updateItems } from '../service/items';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, items } = parseItemsRequest(request, true);
    return v3Results('item', await updateItems(deps, ctx, collectionId, items));
  },
});

export const handler = lambdaHandler('itemsUpdate', operation);
