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
  /** Wix indexes (service/indexes.ts), each on its own GSI slot; absent when there are none. */
  indexes?: IndexRecord[];
  createdAt: string;
  updatedAt: string;
  /** Set on an existing table served as a collection (built from the table, never stored). */
  attached?: AttachedLayout;
}

export type IndexOrder = 'ASC' | 'DESC';
export type IndexStatus = 'BUILDING' | 'ACTIVE' | 'DROPPING' | 'FAILED';

/** Why an index build failed, as Wix's ApplicationError carries it (`WDE0112`..`WDE0114`). */
export interface IndexFailure {
  code: string;
  description: string;
  itemId?: string;
}

/** A Wix index as stored in its collection record. */
export interface IndexRecord {
  name: string;
  fields: { path: string; order: IndexOrder }[];
  unique: boolean;
  caseInsensitive: boolean;
  status: IndexStatus;
  failure?: IndexFailure;
  /** The GSI slot (store/schema.ts) whose key attributes hold this index on the item records. */
  slot: number;
  /**
   * Fresh per index: part of the slot's partition key, so attributes left on items by a removed
   * index that held the same slot can never match a query of the new one.
   */
  token: string;
  /**
   * 2 when the slot keys end with the item's `_id` (store/indexKeys.ts ID_SUFFIX_FORMAT), so equal
   * indexed values come in `_id` order; absent on indexes created before that format, which keep
   * their fields-only keys until removed and re-created.
   */
  keyFormat?: number;
  createdAt: string;
}
