import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { parseReferencesRequest } from '../protocol/v3/referenceRequest';
import { v3Results } from '../protocol/v3/results';
import { insertReferences } from '../service/references';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => {
    const { collectionId, fieldKey, pairs } = parseReferencesRequest(request);
    return v3Results('reference', await insertReferences(deps, ctx, collectionId, fieldKey, pairs));
  },
});

export const handler = lambdaHandler('itemsInsertReferences', operation);
