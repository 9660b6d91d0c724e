/** Validation of the item write requests (whole-request problems are a 400 before any I/O). */
import { ValidationError, type Violation } from '../errors';
import { isWellFormed } from '../text';
import { requireCollectionIdString } from './collectionModel';
import { isObject as isPlainObject } from '../shape';

export const MAX_ITEMS_PER_REQUEST = 1000;
/** DynamoDB's sort key limit. */
export const MAX_ID_BYTES = 1024;

function fail(message: string, violations: Violation[]): never {
  throw new ValidationError(message, violations);
}

export function checkId(id: unknown, fieldPath: string): string {
  if (typeof id !== 'string')
    fail(`${fieldPath} must be a string`, [{ fieldPath, message: 'must be a string' }]);
  if (id.length === 0) fail(`${fieldPath} must not be empty`, [{ fieldPath, message: 'must not be empty' }]);
  if (!isWellFormed(id))
    fail(`${fieldPath} is not valid Unicode (lone surrogate)`, [{ fieldPath, message: 'invalid Unicode' }]);
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) {
    fail(`${fieldPath} is longer than ${MAX_ID_BYTES} bytes`, [
      { fieldPath, rejectedValue: id.slice(0, 100), message: `at most ${MAX_ID_BYTES} bytes (UTF-8)` },
    ]);
  }
  return id;
}

export interface ItemsRequest {
  collectionId: string;
  items: Record<string, unknown>[];
}

export function parseItemsRequest(request: Record<string, unknown>, requireIds: boolean): ItemsRequest {
  const collectionId = requireCollectionIdString(request.collectionId);
  const items = request.items;
  // An empty list is refused by the service once it knows the collection exists (requireSomeItems),
  // so a missing collection answers COLLECTION_NOT_FOUND whatever the list holds.
  if (!Array.isArray(items)) {
    fail('items must be a non-empty array', [{ fieldPath: 'items', message: 'non-empty array required' }]);
  }
  if (items.length > MAX_ITEMS_PER_REQUEST) {
    fail(`at most ${MAX_ITEMS_PER_REQUEST} items per request`, [
      {
        fieldPath: 'items',
        rejectedValue: String(items.length),
        message: `at most ${MAX_ITEMS_PER_REQUEST}`,
      },
    ]);
  }
  items.forEach((item, i) => {
    if (!isPlainObject(item))
      fail(`items[${i}] must be an object`, [{ fieldPath: `items[${i}]`, message: 'must be an object' }]);
    if (item._id !== undefined || requireIds) checkId(item._id, `items[${i}]._id`);
  });
  return { collectionId, items: items as Record<string, unknown>[] };
}

export function parseIdsRequest(request: Record<string, unknown>): {
  collectionId: string;
  itemIds: string[];
} {
  const collectionId = requireCollectionIdString(request.collectionId);
  const ids = request.itemIds;
  if (!Array.isArray(ids) || ids.length === 0) {
    fail('itemIds must be a non-empty array', [
      { fieldPath: 'itemIds', message: 'non-empty array required' },
    ]);
  }
  if (ids.length > MAX_ITEMS_PER_REQUEST) {
    fail(`at most ${MAX_ITEMS_PER_REQUEST} ids per request`, [
      { fieldPath: 'itemIds', message: `at most ${MAX_ITEMS_PER_REQUEST}` },
    ]);
  }
  ids.forEach((id, i) => checkId(id, `itemIds[${i}]`));
  return { collectionId, itemIds: ids as string[] };
}

/**
 * Refuses an empty `items` list. Called after the collection lookup: on a missing collection an
 * empty list answers COLLECTION_NOT_FOUND as a one-item request does (Wix's reference adaptor).
 */
export function requireSomeItems(items: readonly unknown[]): void {
  if (items.length === 0) {
    fail('items must be a non-empty array', [{ fieldPath: 'items', message: 'non-empty array required' }]);
  }
}
