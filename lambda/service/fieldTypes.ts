/**
 * Wix field types and what this adaptor supports on each: the single source for the
 * `capabilities` advertised on every field and for the query validator that enforces them.
 */
import type { QueryOperator } from '../model/operators';

export type { QueryOperator };

export const FIELD_TYPES = [
  'TEXT',
  'NUMBER',
  'DATE',
  'DATETIME',
  'IMAGE',
  'BOOLEAN',
  'DOCUMENT',
  'URL',
  'RICH_TEXT',
  'VIDEO',
  'ANY',
  'ARRAY_STRING',
  'ARRAY_DOCUMENT',
  'AUDIO',
  'TIME',
  'LANGUAGE',
  'RICH_CONTENT',
  'MEDIA_GALLERY',
  'ADDRESS',
  'REFERENCE',
  'MULTI_REFERENCE',
  'OBJECT',
  'ARRAY',
  'PAGE_LINK',
  'SLUG',
  'EMAIL',
  'SECURED_MEDIA',
  'MEDIA_IMAGE',
  'MEDIA_VECTOR_ART',
  // legacy / to-be-removed names seen on input (accepted, stored as given)
  'LEGACY_TIME',
  'LEGACY_BOOK',
  'LEGACY_EXTERNAL_URL',
  'LEGACY_BROKEN_REFERENCE',
  'LEGACY_IMAGE',
  'LEGACY_COLOR',
  'LEGACY_EXTERNAL_VIDEO',
  'TIMESTAMP',
  'JSON',
  'LONG_TEXT',
] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

/** Input aliases: velo-external-db's SINGLE_REFERENCE is Wix's REFERENCE. */
export const FIELD_TYPE_ALIASES: Readonly<Record<string, FieldType>> = { SINGLE_REFERENCE: 'REFERENCE' };

/** Types reported in /v3/capabilities/get as creatable. */
export const SUPPORTED_FIELD_TYPES: readonly FieldType[] = [
  'TEXT',
  'NUMBER',
  'DATE',
  'DATETIME',
  'IMAGE',
  'BOOLEAN',
  'DOCUMENT',
  'URL',
  'RICH_TEXT',
  'VIDEO',
  'ANY',
  'ARRAY_STRING',
  'ARRAY_DOCUMENT',
  'AUDIO',
  'TIME',
  'LANGUAGE',
  'RICH_CONTENT',
  'MEDIA_GALLERY',
  'ADDRESS',
  'REFERENCE',
  'MULTI_REFERENCE',
  'OBJECT',
  'ARRAY',
];

export interface FieldCapabilities {
  readonly sortable: boolean;
  readonly queryOperators: readonly QueryOperator[];
}

const ORDERED: QueryOperator[] = ['EQ', 'NE', 'LT', 'LTE', 'GT', 'GTE', 'HAS_SOME', 'EXISTS'];
const TEXTUAL: QueryOperator[] = [...ORDERED, 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'URLIZED'];
const ARRAYS: QueryOperator[] = ['EQ', 'NE', 'HAS_SOME', 'HAS_ALL', 'EXISTS'];
const EVERYTHING: QueryOperator[] = [...TEXTUAL, 'HAS_ALL'];

const TEXT_LIKE = new Set<string>([
  'TEXT',
  'RICH_TEXT',
  'URL',
  'LANGUAGE',
  'IMAGE',
  'VIDEO',
  'AUDIO',
  'DOCUMENT',
  'DATE',
  'TIME',
  'REFERENCE',
  'PAGE_LINK',
  'SLUG',
  'EMAIL',
  'LONG_TEXT',
  'LEGACY_TIME',
  'LEGACY_EXTERNAL_URL',
  'LEGACY_IMAGE',
  'LEGACY_COLOR',
  'LEGACY_EXTERNAL_VIDEO',
]);
const ARRAY_LIKE = new Set<string>(['ARRAY', 'ARRAY_STRING', 'ARRAY_DOCUMENT', 'MEDIA_GALLERY']);
const OBJECT_LIKE = new Set<string>([
  'OBJECT',
  'ADDRESS',
  'RICH_CONTENT',
  'JSON',
  'SECURED_MEDIA',
  'MEDIA_IMAGE',
  'MEDIA_VECTOR_ART',
  'LEGACY_BOOK',
]);

/**
 * What a field of this type supports. Every operator is evaluated by the query engine on every type
 * (in DynamoDB where it can, in memory otherwise); the lists below restrict each type to the
 * operators that mean something for its values, as Wix's own CMS shows them.
 */
export function capabilitiesFor(type: string, encrypted = false): FieldCapabilities {
  // Encrypted values are opaque {$encrypted} objects: only presence and exact equality make sense.
  if (encrypted) return { sortable: false, queryOperators: ['EQ', 'NE', 'EXISTS'] };
  if (type === 'MULTI_REFERENCE' || type === 'LEGACY_BROKEN_REFERENCE')
    return { sortable: false, queryOperators: [] };
  if (type === 'NUMBER' || type === 'DATETIME' || type === 'TIMESTAMP')
    return { sortable: true, queryOperators: ORDERED };
  if (type === 'BOOLEAN') return { sortable: true, queryOperators: ['EQ', 'NE', 'HAS_SOME', 'EXISTS'] };
  if (TEXT_LIKE.has(type)) return { sortable: true, queryOperators: TEXTUAL };
  if (ARRAY_LIKE.has(type)) return { sortable: false, queryOperators: ARRAYS };
  if (OBJECT_LIKE.has(type)) return { sortable: false, queryOperators: ['EQ', 'NE', 'EXISTS'] };
  return { sortable: true, queryOperators: EVERYTHING }; // ANY and anything unknown: all of it
}
