import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { parseQueryRequest } from '../protocol/v3/queryRequest';
import { queryItems } from '../service/query';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const spec = parseQueryRequest(request);
    const result = await queryItems(deps, ctx, spec);
    const pagingMetadata: Record<string, unknown> = { count: result.items.length };
    if (spec.cursorMode) pagingMetadata.cursors = { next: result.nextCursor ?? null, prev: null };
    else pagingMetadata.offset = result.offset;
    if (result.total !== undefined) pagingMetadata.total = result.total;
    return { items: result.items, pagingMetadata };
  },
});

export const handler = lambdaHandler('itemsQuery', operation);
