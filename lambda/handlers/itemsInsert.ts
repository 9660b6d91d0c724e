import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { v3Results } from '../protocol/v3/results';
import { parseItemsRequest } from '../service/itemRequests';
import { insertItems } from '../service/items';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, items } = parseItemsRequest(request, false);
    return v3Results('item', await insertItems(deps, ctx, collectionId, items));
  },
});

export const handler = lambdaHandler('itemsInsert', operation);
