import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { pagingMetadata } from '../protocol/v3/aggregateRequest';
import { parseQueryReferencedRequest } from '../protocol/v3/referenceRequest';
import { queryReferenced } from '../service/references';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const spec = parseQueryReferencedRequest(request);
    const result = await queryReferenced(deps, ctx, spec);
    return {
      items: result.rows,
      pagingMetadata: pagingMetadata(result.rows.length, result, spec.cursorMode),
    };
  },
});

export const handler = lambdaHandler('itemsQueryReferenced', operation);
