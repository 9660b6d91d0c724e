/** V3 reference requests -> specs. */
import { requireCollectionIdString } from '../../service/collectionModel';
import { checkId } from '../../service/itemRequests';
import type { QueryReferencedSpec, ReferencePair } from '../../service/references';
import type { Json } from '../operation';
import { parseFields, parseQueryRequest } from './queryRequest';
import { invalidField as bad } from '../../shape';

const MAX_REFERENCES = 1000;

function fieldKey(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) bad('referringFieldKey', 'must be a field key');
  return raw;
}

export function parseReferencesRequest(request: Json): {
  collectionId: string;
  fieldKey: string;
  pairs: ReferencePair[];
} {
  const collectionId = requireCollectionIdString(request.collectionId);
  const key = fieldKey(request.referringFieldKey);
  const refs = request.references;
  if (!Array.isArray(refs) || refs.length === 0 || refs.length > MAX_REFERENCES) {
    bad('references', `must be an array of 1 to ${MAX_REFERENCES} references`);
  }
  const pairs = refs.map((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) bad(`references[${i}]`, 'must be an object');
    const o = r as Record<string, unknown>;
    return {
      referringItemId: checkId(o.referringItemId, `references[${i}].referringItemId`),
      referencedItemId: checkId(o.referencedItemId, `references[${i}].referencedItemId`),
    };
  });
  return { collectionId, fieldKey: key, pairs };
}

function idList(raw: unknown, path: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_REFERENCES)
    bad(path, `must be an array of at most ${MAX_REFERENCES} ids`);
  return raw.map((id, i) => checkId(id, `${path}[${i}]`));
}

export function parseQueryReferencedRequest(request: Json): QueryReferencedSpec {
  const paging = parseQueryRequest({
    collectionId: request.collectionId,
    query: { paging: request.paging, cursorPaging: request.cursorPaging },
    returnTotalCount: request.returnTotalCount,
    consistentRead: request.consistentRead,
  });
  const order = request.order ?? 'ASC';
  if (order !== 'ASC' && order !== 'DESC') bad('order', 'must be ASC or DESC');
  if (request.includeReferencedItems !== undefined && typeof request.includeReferencedItems !== 'boolean') {
    bad('includeReferencedItems', 'must be true or false');
  }
  return {
    collectionId: paging.collectionId,
    referringFieldKey: fieldKey(request.referringFieldKey),
    referringItemIds: idList(request.referringItemIds, 'referringItemIds'),
    referencedItemIds: idList(request.referencedItemIds, 'referencedItemIds'),
    desc: order === 'DESC',
    fieldsToReturn: parseFields(request.fieldsToReturn, 'fieldsToReturn'),
    includeReferencedItems: request.includeReferencedItems === true,
    limit: paging.limit,
    offset: paging.offset,
    cursorMode: paging.cursorMode,
    cursor: paging.cursor,
    limitGiven: paging.limitGiven,
    returnTotalCount: paging.returnTotalCount,
    consistentRead: paging.consistentRead,
  };
}
