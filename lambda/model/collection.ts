/**
 * The stored collection record and its field definitions: the one type that the services build and
 * the store persists, so it lives below both.
 */

import type { AttachedLayout } from './attachedLayout';

export type PagingMode = 'OFFSET' | 'CURSOR';
export type Role = 'ADMIN' | 'SITE_MEMBER_AUTHOR' | 'SITE_MEMBER' | 'ANYONE';

/** A field as stored: everything Wix told us about it except the provider-set capabilities. */
export interface FieldDef {
  key: string;
  type: string;
  displayName?: string;
  description?: string;
  encrypted?: boolean;
  singleReferenceOptions?: Record<string, unknown>;
  multiReferenceOptions?: Record<string, unknown>;
  arrayOptions?: Record<string, unknown>;
  objectOptions?: Record<string, unknown>;
}

export interface CollectionRecord {
  id: string;
  displayName?: string;
  fields: FieldDef[];
  permissions?: Record<string, unknown>;
  pagingMode: PagingMode;
  /** Items live under this generation; truncate replaces it (O(1)). */
  generation: string;
  createdAt: string;
  updatedAt: string;
  /** Set on an existing table served as a collection (built from the table, never stored). */
  attached?: AttachedLayout;
}
