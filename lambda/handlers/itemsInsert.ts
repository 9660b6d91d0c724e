import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { v3Results } from '../protocol/v3/results';
import { parseItemsRequest } from '../service/itemRequests';
import { insertItems } from '../service/items';
import { parseItems } from '../protocol/legacy/requests';
import { bulk, single } from '../protocol/legacy/results';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, items } = parseItemsRequest(request, false);
    return v3Results('item', await insertItems(deps, ctx, collectionId, items));
  },
  // /data/insert {item} and /data/insert/bulk {items}
  legacy: async (request, ctx, deps, path) => {
    const many = path === '/data/insert/bulk';
    const { collectionId, items } = parseItems(request, many, false);
    const results = await insertItems(deps, ctx, collectionId, items, { keepCallerDates: true });
    return many ? { items: bulk(results, 'inserted') } : { item: single(results) };
  },
});

export const handler = lambdaHandler('itemsInsert', operation);
