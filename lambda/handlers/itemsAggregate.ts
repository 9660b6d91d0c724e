import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { pagingMetadata, parseAggregateRequest } from '../protocol/v3/aggregateRequest';
import { parseQueryRequest } from '../protocol/v3/queryRequest';
import { aggregateItems } from '../service/aggregate';
import { legacyAggregateRows, parseLegacyAggregate } from '../protocol/legacy/aggregate';
import { queryItems } from '../service/query';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const spec = parseAggregateRequest(request);
    if (!spec) {
      // No aggregation: the request is a query over initialFilter, sort and paging.
      const query = parseQueryRequest({
        ...request,
        query: {
          filter: request.initialFilter,
          sort: request.sort,
          paging: request.paging,
          cursorPaging: request.cursorPaging,
        },
      });
      const result = await queryItems(deps, ctx, query);
      return {
        items: result.items,
        pagingMetadata: pagingMetadata(result.items.length, result, query.cursorMode),
      };
    }
    const result = await aggregateItems(deps, ctx, spec);
    return {
      items: result.rows,
      pagingMetadata: pagingMetadata(result.rows.length, result, spec.cursorMode),
    };
  },
  // /data/aggregate: v2 processingStep/postFilteringStep or the v1 `aggregation` form
  legacy: async (request, ctx, deps) => {
    const aggregate = parseLegacyAggregate(request);
    const result = await aggregateItems(deps, ctx, aggregate.spec);
    return {
      items: legacyAggregateRows(result.rows, aggregate),
      totalCount: result.total ?? result.rows.length,
    };
  },
});

export const handler = lambdaHandler('itemsAggregate', operation);
