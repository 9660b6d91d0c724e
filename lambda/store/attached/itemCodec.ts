/**
 * Items of an attached table <-> Wix items. Attributes are the Wix fields at the top level (no
 * wrapping map), so other software keeps reading what Wix sees. Values other software wrote read back
 * without an error: sets as arrays, binary as base64 text, numbers beyond what a double holds exactly
 * as their exact decimal text, and ISO strings of DATETIME fields as `{$date}`.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttachedLayout } from '../../model/attachedLayout';
import { fromAttr, type AttrMap } from '../codec';
import type { WixItem } from '../items';
import { normaliseDate, setOwn } from '../values';
import { idOfItem } from './keyId';

/** A number attribute as a JS number when that is exact, else as its decimal text (never a 500). */
function numberOf(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return text;
  return n;
}

function valueOf(attr: AttributeValue): unknown {
  if (attr.N !== undefined) return numberOf(attr.N);
  if (attr.NS !== undefined) return attr.NS.map(numberOf);
  if (attr.M !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attr.M)) setOwn(out, k, valueOf(v));
    return out;
  }
  if (attr.L !== undefined) return attr.L.map(valueOf);
  return fromAttr(attr);
}

/** How Wix sees one top-level attribute (a DATETIME attribute's ISO string as `{$date}`). */
export function valueOfAttribute(attr: AttributeValue, isDate: boolean): unknown {
  const value = valueOf(attr);
  if (isDate && typeof value === 'string') {
    const iso = normaliseDate(value);
    if (iso) return { $date: iso };
  }
  return value;
}

export function fromAttachedItem(item: AttrMap, layout: AttachedLayout): WixItem {
  const out: WixItem = {};
  const dates = new Set(layout.dateFields);
  for (const [name, attr] of Object.entries(item)) {
    if (layout.idMode === 'attribute' && name === layout.partitionKey.name) continue;
    setOwn(out, name, valueOfAttribute(attr, dates.has(name)));
  }
  const id = idOfItem(item, layout);
  if (id !== undefined) out._id = id;
  return out;
}
