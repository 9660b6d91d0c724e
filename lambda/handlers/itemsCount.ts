import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { parseCountRequest } from '../protocol/v3/queryRequest';
import { countItems } from '../service/query';
import { parseCountRequest as parseLegacyCount } from '../protocol/legacy/requests';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({ totalCount: await countItems(deps, ctx, parseCountRequest(request)) }),
  legacy: async (request, ctx, deps) => ({
    totalCount: await countItems(deps, ctx, parseLegacyCount(request)),
  }),
});

export const handler = lambdaHandler('itemsCount', operation);
