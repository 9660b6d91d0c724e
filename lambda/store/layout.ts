/**
 * How a Wix item maps onto a DynamoDB item (pure; used by the store and by the query compiler).
 *
 *   sk  = _id            o = _owner          c = _createdDate   u = _updatedDate   ({$date} maps)
 *   d   = every other field of the item, as a map
 *
 * System fields sit at the top level so that update can replace `d` and bump `u` in one UpdateItem
 * while keeping `c` and `o`, with no read first. User fields live only inside `d`, so no field key
 * can ever collide with a key, index or system attribute.
 */
import { ATTR } from './schema';

export const SYSTEM_ATTR = {
  _id: ATTR.sk,
  _owner: 'o',
  _createdDate: 'c',
  _updatedDate: 'u',
} as const;

export type SystemField = keyof typeof SYSTEM_ATTR;

export function isSystemField(key: string): key is SystemField {
  return Object.prototype.hasOwnProperty.call(SYSTEM_ATTR, key);
}

/**
 * The DynamoDB attribute path (as a list of names, each to become an #placeholder) of a Wix field
 * path such as `address.city`.
 */
export function attributePath(fieldPath: string): string[] {
  const parts = fieldPath.split('.');
  const head = parts[0]!;
  if (isSystemField(head)) return [SYSTEM_ATTR[head], ...parts.slice(1)];
  return [ATTR.data, ...parts];
}
