/**
 * The collection record of an attached table (pure): fields inferred from the key schema and a
 * bounded sample of items, overridden per attribute by the entry, and the read-write rule.
 *
 * Inference: S -> TEXT, or DATETIME when every sampled value is an ISO-8601 date-time; N -> NUMBER;
 * BOOL -> BOOLEAN; M -> OBJECT; L -> ARRAY; SS -> ARRAY_STRING; NS, BS -> ARRAY; B -> TEXT (base64).
 * An attribute seen with several types (or only as NULL) is ANY.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttachEntry } from '../model/attach';
import type { AttachedLayout, KeyAttribute } from '../model/attachedLayout';
import type { CollectionRecord, FieldDef } from '../model/collection';
import type { TableShape } from '../store/attached/describe';
import { SYSTEM_FIELDS } from './collectionModel';

/** Every attached collection carries this generation: there is no O(1) truncate to change it. */
export const ATTACHED_GENERATION = 'attached';

/** Wix caps a collection's fields; a sample of wide items must not exceed it. */
const MAX_FIELDS = 1000;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isIsoDateTime(s: string): boolean {
  return ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s));
}

type DynamoType = 'S' | 'N' | 'B' | 'BOOL' | 'M' | 'L' | 'SS' | 'NS' | 'BS' | 'NULL';

function typeOf(attr: AttributeValue): DynamoType {
  for (const t of ['S', 'N', 'B', 'BOOL', 'M', 'L', 'SS', 'NS', 'BS'] as const) {
    if ((attr as unknown as Record<string, unknown>)[t] !== undefined) return t;
  }
  return 'NULL';
}

const SIMPLE: Record<Exclude<DynamoType, 'S' | 'NULL'>, string> = {
  N: 'NUMBER',
  B: 'TEXT',
  BOOL: 'BOOLEAN',
  M: 'OBJECT',
  L: 'ARRAY',
  SS: 'ARRAY_STRING',
  NS: 'ARRAY',
  BS: 'ARRAY',
};

/** The Wix type of one attribute from the values sampled (and its key type, when it is a key). */
function inferType(values: readonly AttributeValue[], key: KeyAttribute | undefined): string {
  const types = new Set(values.map(typeOf).filter((t) => t !== 'NULL'));
  if (types.size === 0) return key ? (key.type === 'N' ? 'NUMBER' : 'TEXT') : 'ANY';
  if (types.size > 1) return 'ANY';
  const [only] = [...types] as [DynamoType];
  if (only === 'S') return values.every((v) => v.S === undefined || isIsoDateTime(v.S)) ? 'DATETIME' : 'TEXT';
  return SIMPLE[only as keyof typeof SIMPLE];
}

/** `_id` is the partition key itself when that is one string attribute named `_id` or `idAttribute`. */
function idModeOf(entry: AttachEntry, shape: TableShape): AttachedLayout['idMode'] {
  const pk = shape.partitionKey;
  const named = pk.name === '_id' || (entry.idAttribute !== undefined && pk.name === entry.idAttribute);
  return !shape.sortKey && pk.type === 'S' && named ? 'attribute' : 'encoded';
}

/** Why the table cannot be written through Wix, or undefined when it can (docs/existing-tables.md). */
export function readOnlyReason(entry: AttachEntry, shape: TableShape): string | undefined {
  const what = `collection ${entry.collectionId} is the existing table ${entry.table}, attached read-only`;
  if (entry.access !== 'readwrite') return `${what} (its entry has access "read")`;
  const pk = shape.partitionKey;
  const keys = [pk.name, shape.sortKey?.name].filter(Boolean).join(', ');
  if (shape.sortKey || pk.type !== 'S')
    return `${what}: Wix needs a string _id, and the table's key (${keys}) is not a single string partition key`;
  if (entry.idAttribute !== undefined && entry.idAttribute !== pk.name)
    return `${what}: idAttribute ${entry.idAttribute} is not the table's partition key ${pk.name}`;
  if (pk.name !== '_id' && entry.idAttribute === undefined)
    return `${what}: its partition key ${pk.name} is not named _id; set idAttribute to use it as _id`;
  return undefined;
}

export function inferFields(
  entry: AttachEntry,
  shape: TableShape,
  sample: readonly Record<string, AttributeValue>[],
): FieldDef[] {
  const idMode = idModeOf(entry, shape);
  const values = new Map<string, AttributeValue[]>();
  const keyAttrs = [
    shape.partitionKey,
    shape.sortKey,
    ...shape.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  for (const k of keyAttrs) if (k && !values.has(k.name)) values.set(k.name, []);
  for (const item of sample) {
    for (const [name, v] of Object.entries(item)) {
      let list = values.get(name);
      if (!list) values.set(name, (list = []));
      list.push(v);
    }
  }
  // In `attribute` mode the partition key is `_id` and is not listed a second time.
  if (idMode === 'attribute') values.delete(shape.partitionKey.name);
  values.delete('_id');
  const overrides = new Map(entry.fields.map((f) => [f.key, f.type as string]));
  const typeFor = (name: string, list: readonly AttributeValue[]) =>
    overrides.get(name) ??
    inferType(
      list,
      keyAttrs.find((k) => k?.name === name),
    );

  const system = SYSTEM_FIELDS.filter(
    (s) => s.key === '_id' || values.has(s.key) || readOnlyReason(entry, shape) === undefined,
  );
  const systemKeys = new Set(system.map((s) => s.key));
  const others = [...values.entries()]
    .filter(([name]) => !systemKeys.has(name) && !name.includes('.') && !name.startsWith('$'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_FIELDS - system.length)
    .map(([name, list]) => ({ key: name, type: typeFor(name, list) }));
  return [...system.map((s) => ({ ...s })), ...others];
}

export function attachedRecord(
  entry: AttachEntry,
  shape: TableShape,
  sample: readonly Record<string, AttributeValue>[],
  now: Date,
): CollectionRecord {
  const fields = inferFields(entry, shape, sample);
  const reason = readOnlyReason(entry, shape);
  const layout: AttachedLayout = {
    table: entry.table,
    partitionKey: shape.partitionKey,
    sortKey: shape.sortKey,
    idMode: idModeOf(entry, shape),
    indexes: shape.indexes,
    writable: reason === undefined,
    readOnlyReason: reason,
    dateFields: fields.filter((f) => f.type === 'DATETIME').map((f) => f.key),
    approximateItems: shape.approximateItems,
  };
  return {
    id: entry.collectionId,
    fields,
    pagingMode: 'OFFSET',
    generation: ATTACHED_GENERATION,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    attached: layout,
  };
}
