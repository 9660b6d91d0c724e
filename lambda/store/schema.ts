/**
 * The single table's physical shape. Pure data: the CDK stack (lib/) and the local server's
 * create-table both read it, so AWS and local mode can never drift apart.
 *
 * Every attribute the adaptor owns has a short reserved name at the top level of the DynamoDB item;
 * a user's item lives entirely inside the map attribute `d`, so no user field key can ever touch a
 * key or index attribute.
 */

export const ATTR = {
  /** partition key */
  pk: 'pk',
  /** sort key */
  sk: 'sk',
  /** the user's item (a map), on item records */
  data: 'd',
  /** collection metadata (a map), on collection records */
  meta: 'm',
  /** optimistic-concurrency version of a metadata record */
  version: 'v',
} as const;

/** Generic GSI slots: slot 1 is the reverse-reference path, the others serve Wix indexes. */
export const GSI_SLOTS = [1, 2, 3, 4, 5] as const;

export function gsiName(slot: number): string {
  return `gsi${slot}`;
}
export function gsiPk(slot: number): string {
  return `g${slot}pk`;
}
export function gsiSk(slot: number): string {
  return `g${slot}sk`;
}

export interface TableShape {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
}

export const TABLE_SHAPE: TableShape = {
  partitionKey: ATTR.pk,
  sortKey: ATTR.sk,
  indexes: GSI_SLOTS.map((s) => ({ name: gsiName(s), partitionKey: gsiPk(s), sortKey: gsiSk(s) })),
};
