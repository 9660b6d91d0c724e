import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { v3Results } from '../protocol/v3/results';
import { parseIdsRequest } from '../service/itemRequests';
import { removeItems } from '../service/items';
import { parseIds } from '../protocol/legacy/requests';
import { bulk, single } from '../protocol/legacy/results';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, itemIds } = parseIdsRequest(request);
    return v3Results('item', await removeItems(deps, ctx, collectionId, itemIds));
  },
  // /data/remove {itemId}: the removed item, 404 when absent; /data/remove/bulk: absent ids are already gone
  legacy: async (request, ctx, deps, path) => {
    const many = path === '/data/remove/bulk';
    const { collectionId, itemIds } = parseIds(request, many);
    const results = await removeItems(deps, ctx, collectionId, itemIds);
    return many ? { items: bulk(results, 'removed', true) } : { item: single(results) };
  },
});

export const handler = lambdaHandler('itemsRemove', operation);
