import { defineOperation } from '../protocol/operation';
import { fitCursorPage } from '../protocol/fitPage';
import { lambdaHandler } from '../protocol/lambda';
import { parseIncludes, parseQueryRequest } from '../protocol/v3/queryRequest';
import { queryItems } from '../service/query';
import { parseFindRequest, parseGetRequest } from '../protocol/legacy/requests';
import { ItemNotFoundError } from '../errors';
import { includeReferenced } from '../service/includeReferenced';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const spec = parseQueryRequest(request, { cursorByDefault: deps.config.pagingMode === 'CURSOR' });
    const includes = parseIncludes(request.includeReferencedItems);
    const result = await queryItems(deps, ctx, spec);
    await includeReferenced(deps, ctx, result.record, result.items, includes, spec.consistentRead);
    const answer = (items: unknown[], next: string | null) => {
      const pagingMetadata: Record<string, unknown> = { count: items.length };
      if (spec.cursorMode) pagingMetadata.cursors = { next, prev: null };
      else pagingMetadata.offset = result.offset;
      if (result.total !== undefined) pagingMetadata.total = result.total;
      return { items, pagingMetadata };
    };
    const next = result.nextCursor ?? null;
    if (!spec.cursorMode || !result.cursorAfter) return answer(result.items, next);
    // A cursor page over Lambda's response limit comes back shorter, continuing after its last item.
    const page = fitCursorPage(result.items, next, result.cursorAfter, answer);
    return answer(page.items, page.next);
  },
  // /data/find and /data/get (a query by _id: one GetItem)
  legacy: async (request, ctx, deps, path) => {
    if (path === '/data/get') {
      const spec = parseGetRequest(request);
      const [item] = (await queryItems(deps, ctx, spec)).items;
      if (!item) throw new ItemNotFoundError(spec.itemId);
      return { item };
    }
    const spec = parseFindRequest(request);
    const result = await queryItems(deps, ctx, spec);
    return result.total === undefined
      ? { items: result.items }
      : { items: result.items, totalCount: result.total };
  },
});

export const handler = lambdaHandler('itemsQuery', operation);
