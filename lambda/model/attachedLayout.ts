/**
 * The key layout of an existing table served as a collection: what the planner, the services and the
 * store need to know about it, built from DescribeTable (see service/sources.ts). It rides on the
 * CollectionRecord, so an attached collection is "another kind of record", not another code path.
 */

/** A DynamoDB key attribute: its name and scalar type (S, N or B). */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export interface IndexLayout {
  readonly name: string;
  /** LSIs share the table's partition key and may be read consistently; GSIs may not. */
  readonly kind: 'GSI' | 'LSI';
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute | undefined;
  /** ALL: every attribute; otherwise the item has to be read from the table again. */
  readonly projectsAll: boolean;
}

export interface AttachedLayout {
  readonly table: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute | undefined;
  /**
   * `attribute`: `_id` is the string partition key itself (named `_id`, or `idAttribute`);
   * `encoded`: `_id` is the reversible encoding of the key values (store/attached/keyId.ts).
   */
  readonly idMode: 'attribute' | 'encoded';
  readonly indexes: readonly IndexLayout[];
  /** Wix writes are allowed (access readwrite and an `attribute` id). */
  readonly writable: boolean;
  /** Why the collection is read-only, for the 4xx every write answers; undefined when writable. */
  readonly readOnlyReason: string | undefined;
  /** Top-level attributes shown as DATETIME: their ISO strings read as `{$date}`. */
  readonly dateFields: readonly string[];
  /** The table's approximate item count (DescribeTable), to choose parallel scan segments. */
  readonly approximateItems: number;
}
