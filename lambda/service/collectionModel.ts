/**
 * Collections: validating what Wix sends, the stored record, and the wire shape with capabilities.
 * Pure functions; the store persists CollectionRecord as it is.
 */
import { ValidationError, type FieldChangeError, type Violation } from '../errors';
import { isWellFormed, preview } from '../text';
import { valueBytes } from '../store/itemSize';
import { toStorable, ValueError } from '../store/values';
import { availableDataOperations, type DataOperation } from '../routes';
import { capabilitiesFor, FIELD_TYPE_ALIASES, FIELD_TYPES, type FieldCapabilities } from './fieldTypes';
import { isObject } from '../shape';
import type { CollectionRecord, FieldDef, PagingMode } from '../model/collection';

export type { CollectionRecord, FieldDef, PagingMode, Role } from '../model/collection';

export interface WireField extends FieldDef {
  capabilities: FieldCapabilities;
}

export interface WireCollection {
  id: string;
  displayName?: string;
  fields: WireField[];
  capabilities: { dataOperations: DataOperation[] };
  permissions?: Record<string, unknown>;
  pagingMode: PagingMode;
}

export const SYSTEM_FIELDS: readonly FieldDef[] = [
  { key: '_id', type: 'TEXT', displayName: 'ID' },
  { key: '_createdDate', type: 'DATETIME', displayName: 'Created Date' },
  { key: '_updatedDate', type: 'DATETIME', displayName: 'Updated Date' },
  { key: '_owner', type: 'TEXT', displayName: 'Owner' },
];
const SYSTEM_KEYS = new Set(SYSTEM_FIELDS.map((f) => f.key));

const COLLECTION_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}$/;
const MAX_FIELDS = 1000;
const ROLES = new Set(['ADMIN', 'SITE_MEMBER_AUTHOR', 'SITE_MEMBER', 'ANYONE']);
const OPTION_KEYS = [
  'singleReferenceOptions',
  'multiReferenceOptions',
  'arrayOptions',
  'objectOptions',
] as const;

export function validateCollectionId(id: unknown, fieldPath = 'collectionId'): string {
  if (typeof id !== 'string' || !COLLECTION_ID.test(id)) {
    throw new ValidationError(
      `${fieldPath} must be 1-256 letters, digits, "_", "-" or "." (not starting with "." or "-")`,
      [{ fieldPath, rejectedValue: preview(id, 100), message: 'invalid collection id' }],
    );
  }
  return id;
}

/** Any collection id we may look up (lookups of ids we could never have created simply do not exist). */
export function requireCollectionIdString(id: unknown, fieldPath = 'collectionId'): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256 || !isWellFormed(id)) {
    throw new ValidationError(`${fieldPath} must be a non-empty string of at most 256 characters`, [
      { fieldPath, message: 'required string' },
    ]);
  }
  return id;
}

export function isValidFieldKey(key: string): boolean {
  // No dots (they are path separators in filters), no leading "$" (operator syntax), no control chars.
  return (
    key.length > 0 &&
    key.length <= 256 &&
    !key.includes('.') &&
    !key.startsWith('$') &&
    !/[\u0000-\u001f]/.test(key)
  );
}

export function normaliseType(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.toUpperCase();
  const aliased = FIELD_TYPE_ALIASES[upper] ?? upper;
  return (FIELD_TYPES as readonly string[]).includes(aliased) ? aliased : undefined;
}

interface ParsedCollection {
  id: string;
  displayName?: string;
  fields: FieldDef[];
  permissions?: Record<string, unknown>;
}

/**
 * Validates a Collection from a create/update request. Shape errors are a ValidationError; field
 * definitions this adaptor cannot honour are returned as change errors for the caller to report.
 */
export function parseCollection(raw: unknown): {
  collection: ParsedCollection;
  changeErrors: FieldChangeError[];
} {
  if (!isObject(raw))
    throw new ValidationError('collection must be an object', [
      { fieldPath: 'collection', message: 'required object' },
    ]);
  const id = validateCollectionId(raw.id ?? raw._id, 'collection.id');
  const violations: Violation[] = [];
  const changeErrors: FieldChangeError[] = [];
  const rawFields = raw.fields ?? [];
  if (!Array.isArray(rawFields)) {
    throw new ValidationError('collection.fields must be an array', [
      { fieldPath: 'collection.fields', message: 'must be an array' },
    ]);
  }
  if (rawFields.length > MAX_FIELDS) {
    throw new ValidationError(`a collection has at most ${MAX_FIELDS} fields`, [
      { fieldPath: 'collection.fields', message: 'too many fields' },
    ]);
  }
  const seen = new Set<string>();
  const fields: FieldDef[] = [];
  rawFields.forEach((f, i) => {
    const path = `collection.fields[${i}]`;
    if (!isObject(f)) {
      violations.push({ fieldPath: path, message: 'a field must be an object' });
      return;
    }
    if (typeof f.key !== 'string' || !isValidFieldKey(f.key)) {
      violations.push({
        fieldPath: `${path}.key`,
        rejectedValue: preview(f.key, 100),
        message: 'a field key is 1-256 characters, without ".", not starting with "$"',
      });
      return;
    }
    if (seen.has(f.key)) {
      changeErrors.push({ fieldKey: f.key, message: 'the field is listed twice' });
      return;
    }
    seen.add(f.key);
    const type = normaliseType(f.type);
    if (!type) {
      changeErrors.push({ fieldKey: f.key, message: `unknown field type ${JSON.stringify(f.type ?? null)}` });
      return;
    }
    const system = SYSTEM_FIELDS.find((s) => s.key === f.key);
    if (system && system.type !== type) {
      changeErrors.push({ fieldKey: f.key, message: `system field ${f.key} must be of type ${system.type}` });
      return;
    }
    if (f.encrypted !== undefined && typeof f.encrypted !== 'boolean') {
      violations.push({ fieldPath: `${path}.encrypted`, message: 'encrypted must be a boolean' });
      return;
    }
    if (system && f.encrypted === true) {
      changeErrors.push({ fieldKey: f.key, message: 'system fields cannot be encrypted' });
      return;
    }
    const def: FieldDef = { key: f.key, type };
    if (typeof f.displayName === 'string') def.displayName = f.displayName.slice(0, 1000);
    if (typeof f.description === 'string') def.description = f.description.slice(0, 10000);
    if (f.encrypted === true) def.encrypted = true;
    for (const opt of OPTION_KEYS) {
      const value = f[opt];
      if (value === undefined || value === null) continue;
      if (!isObject(value)) {
        violations.push({ fieldPath: `${path}.${opt}`, message: `${opt} must be an object` });
        continue;
      }
      def[opt] = value;
    }
    if (type === 'MULTI_REFERENCE' || type === 'REFERENCE') {
      const opts = type === 'MULTI_REFERENCE' ? def.multiReferenceOptions : def.singleReferenceOptions;
      const target = opts?.referencedCollectionId;
      if (target !== undefined && (typeof target !== 'string' || target.length === 0)) {
        changeErrors.push({ fieldKey: f.key, message: 'referencedCollectionId must be a non-empty string' });
        return;
      }
      if (type === 'MULTI_REFERENCE' && typeof target !== 'string') {
        changeErrors.push({
          fieldKey: f.key,
          message: 'a MULTI_REFERENCE field needs multiReferenceOptions.referencedCollectionId',
        });
        return;
      }
    }
    fields.push(def);
  });
  if (violations.length > 0)
    throw new ValidationError(`invalid collection: ${violations[0]!.message}`, violations);

  // System fields are always present, first, with their canonical types.
  const withSystem = [
    ...SYSTEM_FIELDS.map((s) => ({ ...s, ...(fields.find((f) => f.key === s.key) ?? {}) })),
    ...fields.filter((f) => !SYSTEM_KEYS.has(f.key)),
  ];
  const collection: ParsedCollection = { id, fields: withSystem };
  checkStorable(withSystem);
  if (typeof raw.displayName === 'string') collection.displayName = raw.displayName.slice(0, 1000);
  if (raw.permissions !== undefined && raw.permissions !== null) {
    if (!isObject(raw.permissions)) {
      throw new ValidationError('collection.permissions must be an object', [
        { fieldPath: 'collection.permissions', message: 'must be an object' },
      ]);
    }
    for (const [op, role] of Object.entries(raw.permissions)) {
      if (
        !['insert', 'update', 'remove', 'read'].includes(op) ||
        typeof role !== 'string' ||
        !ROLES.has(role)
      ) {
        throw new ValidationError(`collection.permissions.${op} is not a valid role`, [
          {
            fieldPath: `collection.permissions.${op}`,
            rejectedValue: preview(role, 100),
            message: 'invalid role',
          },
        ]);
      }
    }
    collection.permissions = raw.permissions;
  }
  return { collection, changeErrors };
}

/** The definition itself must fit in one DynamoDB item: bounded size and depth, no empty keys. */
const MAX_DEFINITION_BYTES = 300 * 1024;

function checkStorable(fields: FieldDef[]): void {
  try {
    toStorable(fields, 'collection.fields', 3); // the record sits 3 levels down (m, fields, field)
  } catch (err) {
    if (err instanceof ValueError) {
      throw new ValidationError(`invalid collection: ${err.message}`, [
        { fieldPath: err.fieldPath, message: err.message },
      ]);
    }
    throw err;
  }
  if (valueBytes(fields) > MAX_DEFINITION_BYTES) {
    throw new ValidationError('the collection definition is larger than 300 KB', [
      { fieldPath: 'collection.fields', message: 'definition too large' },
    ]);
  }
}

/** Changes an update may not make to existing fields (new fields and removals are always fine). */
export function incompatibleChanges(before: FieldDef[], after: FieldDef[]): FieldChangeError[] {
  const errors: FieldChangeError[] = [];
  for (const next of after) {
    const prev = before.find((f) => f.key === next.key);
    if (!prev) continue;
    const wasMulti = prev.type === 'MULTI_REFERENCE';
    const isMulti = next.type === 'MULTI_REFERENCE';
    if (wasMulti !== isMulti) {
      errors.push({
        fieldKey: next.key,
        message: `cannot change type from ${prev.type} to ${next.type}: multi-references are stored apart from items`,
      });
    } else if (
      isMulti &&
      prev.multiReferenceOptions?.referencedCollectionId !==
        next.multiReferenceOptions?.referencedCollectionId
    ) {
      errors.push({
        fieldKey: next.key,
        message: 'cannot change the referenced collection of a multi-reference field',
      });
    }
  }
  return errors;
}

/** What a read-only attached collection offers. */
export const ATTACHED_READ_OPERATIONS: readonly DataOperation[] = ['QUERY', 'COUNT', 'AGGREGATE', 'DISTINCT'];

const REFERENCE_OPERATIONS = new Set<DataOperation>([
  'QUERY_REFERENCED',
  'INSERT_REFERENCES',
  'REMOVE_REFERENCES',
]);

/** What Wix may call on this collection: implemented operations, reference ones only with a multi-reference field. */
export function dataOperationsFor(record: CollectionRecord): DataOperation[] {
  // A read-only attached table advertises reads only (Wix's rule for external collections).
  if (record.attached && !record.attached.writable) return [...ATTACHED_READ_OPERATIONS];
  const refs = record.fields.some(
    (f) =>
      f.type === 'MULTI_REFERENCE' && typeof f.multiReferenceOptions?.referencedCollectionId === 'string',
  );
  return availableDataOperations().filter((op) => refs || !REFERENCE_OPERATIONS.has(op));
}

/**
 * The collection as Wix sees it. `pagingMode` is the deployment's (PAGING_MODE), not the one stored
 * with the record: a changed setting applies to every collection, own and attached, at once.
 */
export function toWire(record: CollectionRecord, pagingMode: PagingMode): WireCollection {
  const wire: WireCollection = {
    id: record.id,
    fields: record.fields.map((f) => ({ ...f, capabilities: capabilitiesFor(f.type, f.encrypted === true) })),
    capabilities: { dataOperations: dataOperationsFor(record) },
    pagingMode,
  };
  if (record.displayName !== undefined) wire.displayName = record.displayName;
  if (record.permissions !== undefined) wire.permissions = record.permissions;
  return wire;
}
