/**
 * Existing DynamoDB tables attached as Wix collections: the `ATTACH_TABLES` contract (the same JSON
 * is the CDK context `attachTables`), parsed and checked in one place so that the runtime and the
 * stack agree on every entry. Pure: no I/O, no AWS SDK.
 *
 *   [{"table": "orders", "collectionId": "Orders", "tenants": ["<instanceId>"] | ["*"],
 *     "access": "read" | "readwrite", "idAttribute": "orderId",
 *     "fields": [{"key": "placedAt", "type": "DATETIME"}]}]
 */

export type AttachAccess = 'read' | 'readwrite';

/** A per-attribute type override: the attribute `key` is shown to Wix as `type`. */
export interface AttachFieldOverride {
  readonly key: string;
  readonly type: AttachFieldType;
}

export interface AttachEntry {
  /** The DynamoDB table's name (in the adaptor's account and region). */
  readonly table: string;
  /** The Wix collection id it appears as (default: the table name). */
  readonly collectionId: string;
  /** Tenants (Wix instance ids) that see it; `['*']` means every tenant, a deliberate choice. */
  readonly tenants: readonly string[];
  /** `readwrite` is honoured only when the key fits (see docs/existing-tables.md). */
  readonly access: AttachAccess;
  /** A string partition key that plays `_id` when it is not called `_id`. */
  readonly idAttribute: string | undefined;
  readonly fields: readonly AttachFieldOverride[];
}

/**
 * Types an attached attribute may be shown as: the ones inference produces, plus the Wix types whose
 * values are plain strings, numbers or JSON (so any attribute can be read as one of them).
 */
export const ATTACH_FIELD_TYPES = [
  'TEXT',
  'NUMBER',
  'BOOLEAN',
  'DATETIME',
  'DATE',
  'TIME',
  'OBJECT',
  'ARRAY',
  'ARRAY_STRING',
  'ARRAY_DOCUMENT',
  'URL',
  'EMAIL',
  'RICH_TEXT',
  'IMAGE',
  'ANY',
] as const;

export type AttachFieldType = (typeof ATTACH_FIELD_TYPES)[number];

/** An ATTACH_TABLES (or `attachTables`) value that cannot be used; the message names the entry. */
export class AttachConfigError extends Error {
  override readonly name = 'AttachConfigError';
}

const ENTRY_KEYS = new Set(['table', 'collectionId', 'tenants', 'access', 'idAttribute', 'fields']);
/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** The adaptor's rule for collection ids (service/collectionModel.ts). */
const COLLECTION_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}$/;
/** The longest attribute name DynamoDB allows for a key attribute. */
const MAX_ATTRIBUTE_NAME = 255;
/** A bound on what one process describes and samples at start: this is configuration, not data. */
const MAX_ENTRIES = 100;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isName = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && !/[\u0000-\u001f]/.test(v);

/**
 * Parses the JSON text (or, from CDK context, the already-parsed value). `undefined`/empty is no
 * attached table. Throws AttachConfigError naming the first bad entry and what is wrong with it.
 */
export function parseAttachTables(raw: unknown): AttachEntry[] {
  if (raw === undefined || raw === null) return [];
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return [];
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new AttachConfigError(`is not valid JSON (${(err as Error).message})`);
    }
  }
  if (!Array.isArray(value)) throw new AttachConfigError('must be a JSON array of entries');
  if (value.length > MAX_ENTRIES) throw new AttachConfigError(`holds more than ${MAX_ENTRIES} entries`);
  const entries = value.map((v, i) => parseEntry(v, i));
  checkOverlaps(entries);
  return entries;
}

function parseEntry(raw: unknown, index: number): AttachEntry {
  const label =
    isObject(raw) && typeof raw.table === 'string' ? `[${index}] (table "${raw.table}")` : `[${index}]`;
  const fail = (message: string): never => {
    throw new AttachConfigError(`entry ${label}: ${message}`);
  };
  if (!isObject(raw)) return fail('must be an object');
  const unknown = Object.keys(raw).filter((k) => !ENTRY_KEYS.has(k));
  if (unknown.length > 0)
    fail(`unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${[...ENTRY_KEYS].join(', ')}`);

  const table = raw.table;
  if (typeof table !== 'string' || !TABLE_NAME.test(table))
    fail('"table" must be a DynamoDB table name (3-255 letters, digits, "_", "-" or ".")');

  const collectionId = raw.collectionId ?? table;
  if (typeof collectionId !== 'string' || !COLLECTION_ID.test(collectionId))
    fail('"collectionId" must be 1-256 letters, digits, "_", "-" or "." (not starting with "." or "-")');

  const tenants = raw.tenants;
  if (!Array.isArray(tenants) || tenants.length === 0)
    fail('"tenants" is required: a non-empty array of Wix instance ids, or ["*"] for every tenant');
  const tenantList = tenants as unknown[];
  if (!tenantList.every((t) => isName(t, 256))) fail('"tenants" must hold non-empty strings');
  if (tenantList.includes('*') && tenantList.length > 1)
    fail('"tenants": "*" (every tenant) must be alone, not mixed with instance ids');
  if (new Set(tenantList).size !== tenantList.length) fail('"tenants" lists a tenant twice');

  const access = raw.access ?? 'read';
  if (access !== 'read' && access !== 'readwrite') fail('"access" must be "read" or "readwrite"');

  const idAttribute = raw.idAttribute;
  if (idAttribute !== undefined && !isName(idAttribute, MAX_ATTRIBUTE_NAME))
    fail('"idAttribute" must be the name of the table\'s string partition key');

  return Object.freeze({
    table: table as string,
    collectionId: collectionId as string,
    tenants: Object.freeze([...(tenantList as string[])]),
    access: access as AttachAccess,
    idAttribute: idAttribute as string | undefined,
    fields: Object.freeze(parseFields(raw.fields, fail)),
  });
}

function parseFields(raw: unknown, fail: (message: string) => never): AttachFieldOverride[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return fail('"fields" must be an array of {"key", "type"}');
  const seen = new Set<string>();
  return raw.map((f, i) => {
    if (!isObject(f) || !isName(f.key, MAX_ATTRIBUTE_NAME) || typeof f.type !== 'string')
      return fail(`"fields"[${i}] must be {"key": "<attribute>", "type": "<Wix type>"}`);
    const key = f.key as string;
    const type = f.type.toUpperCase();
    if (!(ATTACH_FIELD_TYPES as readonly string[]).includes(type))
      fail(`"fields"[${i}] ("${key}"): type must be one of ${ATTACH_FIELD_TYPES.join(', ')}`);
    if (seen.has(key)) fail(`"fields" lists "${key}" twice`);
    seen.add(key);
    return Object.freeze({ key, type: type as AttachFieldType });
  });
}

/** One collection id per tenant: two entries that a tenant would both see under one id are refused. */
function checkOverlaps(entries: readonly AttachEntry[]): void {
  for (let i = 0; i < entries.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = entries[j]!;
      const b = entries[i]!;
      if (a.collectionId !== b.collectionId) continue;
      const shared =
        a.tenants.includes('*') || b.tenants.includes('*') || a.tenants.some((t) => b.tenants.includes(t));
      if (shared) {
        throw new AttachConfigError(
          `entry [${i}] (table "${b.table}"): collection id "${b.collectionId}" is already attached by entry [${j}] for the same tenant(s)`,
        );
      }
    }
  }
}

/** The entry a tenant sees under `collectionId`, if any. */
export function attachedFor(
  entries: readonly AttachEntry[],
  tenant: string,
  collectionId: string,
): AttachEntry | undefined {
  return entries.find((e) => e.collectionId === collectionId && visibleTo(e, tenant));
}

/** Whether a tenant sees an entry. */
export function visibleTo(entry: AttachEntry, tenant: string): boolean {
  return entry.tenants.includes('*') || entry.tenants.includes(tenant);
}
