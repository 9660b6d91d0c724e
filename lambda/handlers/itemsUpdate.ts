import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { v3Results } from '../protocol/v3/results';
import { parseItemsRequest } from '../service/itemRequests';
import { updateItems } from '../service/items';
import { parseItems } from '../protocol/legacy/requests';
import { bulk, single } from '../protocol/legacy/results';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, items } = parseItemsRequest(request, true);
    return v3Results('item', await updateItems(deps, ctx, collectionId, items));
  },
  // /data/update {item} and /data/update/bulk {items}: whole items, as V3 (README, "Legacy protocol")
  legacy: async (request, ctx, deps, path) => {
    const many = path === '/data/update/bulk';
    const { collectionId, items } = parseItems(request, many, true);
    const results = await updateItems(deps, ctx, collectionId, items, { keepCallerDates: true });
    return many ? { items: bulk(results, 'updated') } : { item: single(results) };
  },
});

export const handler = lambdaHandler('itemsUpdate', operation);
