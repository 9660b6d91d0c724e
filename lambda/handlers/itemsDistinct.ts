import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { pagingMetadata, parseDistinctRequest } from '../protocol/v3/aggregateRequest';
import { distinctValues } from '../service/distinct';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const spec = parseDistinctRequest(request);
    const result = await distinctValues(deps, ctx, spec);
    return {
      distinctValues: result.rows,
      pagingMetadata: pagingMetadata(result.rows.length, result, spec.cursorMode),
    };
  },
});

export const handler = lambdaHandler('itemsDistinct', operation);
