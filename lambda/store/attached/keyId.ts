/**
 * `_id` of an item of an attached table, and back (pure).
 *
 * - `attribute` layout (a single string partition key named `_id` or mapped by `idAttribute`):
 *   `_id` is that key's value, unchanged.
 * - `encoded` layout (any other key): `_id` lists the key values, partition key first, each as
 *   `<type>:<value>`, joined by `/`:  S -> percent-encoded (encodeURIComponent), N -> the number's
 *   exact decimal text as DynamoDB holds it, B -> base64url. For example partition key
 *   `customer = "c#1"` and sort key `orderNo = 42` give `S:c%231/N:42`. The encoding is reversible,
 *   so an `_id` lookup is one GetItem, and numbers beyond 2^53 keep every digit.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttachedLayout, KeyAttribute } from '../../model/attachedLayout';
import type { AttrMap } from '../codec';

type KeyLayout = Pick<AttachedLayout, 'partitionKey' | 'sortKey' | 'idMode'>;

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function encodePart(attr: AttributeValue | undefined, key: KeyAttribute): string | undefined {
  if (key.type === 'S' && attr?.S !== undefined) return `S:${encodeURIComponent(attr.S)}`;
  if (key.type === 'N' && attr?.N !== undefined) return `N:${attr.N}`;
  if (key.type === 'B' && attr?.B !== undefined) return `B:${Buffer.from(attr.B).toString('base64url')}`;
  return undefined;
}

function decodePart(part: string, key: KeyAttribute): AttributeValue | undefined {
  const colon = part.indexOf(':');
  if (colon < 0 || part.slice(0, colon) !== key.type) return undefined;
  const text = part.slice(colon + 1);
  switch (key.type) {
    case 'S': {
      try {
        const s = decodeURIComponent(text);
        return s.length > 0 && encodeURIComponent(s) === text ? { S: s } : undefined;
      } catch {
        return undefined;
      }
    }
    case 'N':
      return NUMBER.test(text) ? { N: text } : undefined;
    case 'B': {
      const bytes = Buffer.from(text, 'base64url');
      return bytes.length > 0 && bytes.toString('base64url') === text ? { B: bytes } : undefined;
    }
  }
}

/** The `_id` of a stored item (undefined when the item lacks its key, which DynamoDB never allows). */
export function idOfItem(item: AttrMap, layout: KeyLayout): string | undefined {
  if (layout.idMode === 'attribute') return item[layout.partitionKey.name]?.S;
  const parts = [layout.partitionKey, layout.sortKey]
    .filter((k): k is KeyAttribute => k !== undefined)
    .map((k) => encodePart(item[k.name], k));
  return parts.every((p) => p !== undefined) ? parts.join('/') : undefined;
}

/** The DynamoDB key an `_id` names, or undefined when no item of this table can have it. */
export function keyOfId(id: string, layout: KeyLayout): AttrMap | undefined {
  if (id.length === 0 || Buffer.byteLength(id, 'utf8') > 4096) return undefined;
  if (layout.idMode === 'attribute') {
    return Buffer.byteLength(id, 'utf8') <= 2048 ? { [layout.partitionKey.name]: { S: id } } : undefined;
  }
  const parts = id.split('/');
  const keys = [layout.partitionKey, layout.sortKey].filter((k): k is KeyAttribute => k !== undefined);
  if (parts.length !== keys.length) return undefined;
  const out: AttrMap = {};
  for (let i = 0; i < keys.length; i++) {
    const v = decodePart(parts[i]!, keys[i]!);
    if (!v) return undefined;
    out[keys[i]!.name] = v;
  }
  return out;
}
