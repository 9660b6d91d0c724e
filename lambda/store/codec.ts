/**
 * Our own JSON <-> DynamoDB AttributeValue codec. The SDK's marshaller cannot hold every JSON object
 * Wix may send: an object with a "constructor" key is refused and a "__proto__" key is lost. Here any
 * key is an own property, numbers are written in their shortest exact decimal form and read back with
 * Number(), and nothing is converted behind the caller's back.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { setOwn } from './values';

export type Attr = AttributeValue;
export type AttrMap = Record<string, AttributeValue>;

export function toAttr(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('only finite numbers can be stored');
      return { N: String(value) };
    case 'object': {
      if (Array.isArray(value)) return { L: value.map(toAttr) };
      const m: AttrMap = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) setOwn(m as Record<string, unknown>, k, toAttr(v));
      }
      return { M: m };
    }
    default:
      throw new TypeError(`cannot store a ${typeof value}`);
  }
}

export function fromAttr(attr: AttributeValue): unknown {
  if (attr.S !== undefined) return attr.S;
  if (attr.N !== undefined) return Number(attr.N);
  if (attr.BOOL !== undefined) return attr.BOOL;
  if (attr.NULL !== undefined) return null;
  if (attr.M !== undefined) return fromAttrMap(attr.M);
  if (attr.L !== undefined) return attr.L.map(fromAttr);
  // Sets and binary only occur in tables written by other software: give them a JSON form.
  if (attr.SS !== undefined) return [...attr.SS];
  if (attr.NS !== undefined) return attr.NS.map(Number);
  if (attr.B !== undefined) return Buffer.from(attr.B).toString('base64');
  if (attr.BS !== undefined) return attr.BS.map((b) => Buffer.from(b).toString('base64'));
  return null;
}

/** A top-level item (or a map) to plain values. */
export function fromAttrMap(map: AttrMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) setOwn(out, k, fromAttr(v));
  return out;
}

/** Plain values to a top-level item (or the values map of an expression). */
export function toAttrMap(values: Record<string, unknown>): AttrMap {
  const out: AttrMap = {};
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined) setOwn(out as Record<string, unknown>, k, toAttr(v));
  }
  return out;
}
