/**
 * The legacy schema shape (wix-legacy notes §11) built from a collection and the field capabilities
 * of service/fieldTypes.ts, so what a schema advertises is what the query engine enforces.
 */
import type { WireCollection } from '../../service/collectionModel';
import type { QueryOperator } from '../../service/fieldTypes';
import { matchRoute } from '../../routes';
import { MAX_PAGE_SIZE } from './requests';

/** Seconds Wix may cache a schema (§13): short enough that column changes show up soon. */
export const SCHEMA_TTL_SECONDS = 300;

export type LegacyFieldType = 'text' | 'number' | 'boolean' | 'url' | 'datetime' | 'image' | 'object';

export interface LegacyField {
  displayName: string;
  type: LegacyFieldType;
  queryOperators: string[];
}

export interface LegacySchema {
  id: string;
  displayName: string;
  allowedOperations: string[];
  maxPageSize: number;
  ttl: number;
  fields: Record<string, LegacyField>;
}

export interface LegacySchemaHeader {
  id: string;
  displayName: string;
  maxPageSize: number;
  ttl: number;
}

/** `allowedOperations` keys (lower-case, §11, §17) and the path that serves each. */
const OPERATION_PATHS: readonly (readonly [string, string])[] = [
  ['get', '/data/get'],
  ['find', '/data/find'],
  ['count', '/data/count'],
  ['insert', '/data/insert'],
  ['update', '/data/update'],
  ['remove', '/data/remove'],
  ['bulkInsert', '/data/insert/bulk'],
  ['bulkUpdate', '/data/update/bulk'],
  ['bulkRemove', '/data/remove/bulk'],
];

/** The operations whose legacy route exists: a schema never offers what would 404. */
export function allowedOperations(): string[] {
  return OPERATION_PATHS.filter(([, path]) => matchRoute(path)?.protocol === 'legacy').map(([op]) => op);
}

/** Wix field type -> legacy type (text, number, boolean, url, datetime, image, object). */
export function legacyType(wixType: string): LegacyFieldType {
  switch (wixType) {
    case 'NUMBER':
      return 'number';
    case 'BOOLEAN':
      return 'boolean';
    case 'DATETIME':
    case 'TIMESTAMP':
      return 'datetime';
    case 'URL':
    case 'LEGACY_EXTERNAL_URL':
      return 'url';
    case 'IMAGE':
    case 'LEGACY_IMAGE':
      return 'image';
    case 'TEXT':
    case 'RICH_TEXT':
    case 'LONG_TEXT':
    case 'EMAIL':
    case 'SLUG':
    case 'LANGUAGE':
    case 'PAGE_LINK':
    case 'REFERENCE':
    case 'DATE':
    case 'TIME':
    case 'LEGACY_TIME':
    case 'VIDEO':
    case 'AUDIO':
    case 'DOCUMENT':
    case 'LEGACY_COLOR':
    case 'LEGACY_EXTERNAL_VIDEO':
      return 'text';
    default:
      // objects, arrays, addresses, rich content, ANY: JSON values
      return 'object';
  }
}

const OPERATOR_NAMES: Partial<Record<QueryOperator, readonly string[]>> = {
  EQ: ['eq'],
  NE: ['ne'],
  LT: ['lt'],
  LTE: ['lte'],
  GT: ['gt'],
  GTE: ['gte'],
  HAS_SOME: ['hasSome'],
  CONTAINS: ['contains'],
  STARTS_WITH: ['startsWith'],
  ENDS_WITH: ['endsWith'],
  // "urlized" tells Wix the field supports slug matching; it may then send $urlized or $matches (§8.3).
  URLIZED: ['urlized', 'matches'],
  // HAS_ALL and EXISTS are not legacy operators (§8.3).
};

/** Legacy `queryOperators` (names without `$`) for a field's capabilities. */
export function legacyOperators(capabilities: readonly QueryOperator[]): string[] {
  const names = capabilities.flatMap((c) => OPERATOR_NAMES[c] ?? []);
  // isEmpty/isNotEmpty are how the CMS offers "is empty" (§11); they are equality with null.
  if (capabilities.includes('EQ') && capabilities.includes('NE')) names.push('isEmpty', 'isNotEmpty');
  return names;
}

export function toLegacySchema(c: WireCollection, operations: string[] = allowedOperations()): LegacySchema {
  const fields: Record<string, LegacyField> = {};
  for (const f of c.fields) {
    // Multi-references are not item values (they live apart from items) and legacy has no references.
    if (f.type === 'MULTI_REFERENCE') continue;
    Object.defineProperty(fields, f.key, {
      value: {
        displayName: f.displayName ?? f.key,
        type: legacyType(f.type),
        queryOperators: legacyOperators(f.capabilities.queryOperators),
      },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    id: c.id,
    displayName: c.displayName ?? c.id,
    allowedOperations: operations,
    maxPageSize: MAX_PAGE_SIZE,
    ttl: SCHEMA_TTL_SECONDS,
    fields,
  };
}

export function toLegacyHeader(c: WireCollection): LegacySchemaHeader {
  return {
    id: c.id,
    displayName: c.displayName ?? c.id,
    maxPageSize: MAX_PAGE_SIZE,
    ttl: SCHEMA_TTL_SECONDS,
  };
}
