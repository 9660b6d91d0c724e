import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { updateCollection } from '../service/collections';
import { parseColumn, parseColumnName } from '../protocol/legacy/requests';
import { addCollectionField, removeCollectionField } from '../service/collections';

export const operation = defineOperation({
  v3: async (request, ctx, deps) => ({ collection: await updateCollection(deps, ctx, request.collection) }),
  // /schemas/column/add, /schemas/column/remove
  legacy: async (request, ctx, deps, path) => {
    if (path === '/schemas/column/remove') {
      const { collectionId, columnName } = parseColumnName(request);
      await removeCollectionField(deps, ctx, collectionId, columnName);
    } else {
      const { collectionId, field } = parseColumn(request);
      await addCollectionField(deps, ctx, collectionId, field);
    }
    return {};
  },
});

export const handler = lambdaHandler('collectionsUpdate', operation);
