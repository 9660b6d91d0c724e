/**
 * Index-backed sorts (DESIGN §4 step 3). Pure: picks an ACTIVE index whose key order is the
 * requested order, and builds the GSI Query that reads it; service/indexQuery.ts runs it.
 *
 * The rule: a query sorted by exactly an index's fields (each in the index's direction, or each
 * reversed: then the GSI is read backwards) reads that index in key order and stops when its page
 * is full, instead of reading every match to sort in memory. Among several such indexes the first
 * created wins (they read the same items). Not used for caseInsensitive indexes (their order folds
 * case, Wix's does not), for consistent reads (a GSI is eventually consistent), or when a total is
 * wanted (that reads every match whatever the path). The filter goes along as a FilterExpression
 * and is re-checked in memory, as on every path.
 */
import type { IndexRecord } from '../model/collection';
import { gsiPk } from '../store/schema';
import type { Node, SortKey } from './ast';
import { express } from './express';
import { Placeholders } from './placeholders';

export interface IndexPath {
  readonly index: IndexRecord;
  /** read the GSI backwards (the sort is the index's order reversed) */
  readonly descending: boolean;
  readonly keyCondition: string;
  readonly filterExpression: string | undefined;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

/** The index whose key order is `sort` (the requested keys, without the `_id` tie-break), if any. */
export function sortIndex(
  indexes: readonly IndexRecord[],
  sort: readonly SortKey[],
): { index: IndexRecord; descending: boolean } | undefined {
  const keys = sort.filter((s, i) => !(s.field === '_id' && i === sort.length - 1));
  if (keys.length === 0) return undefined;
  for (const index of indexes) {
    if (index.status !== 'ACTIVE' || index.caseInsensitive || index.fields.length !== keys.length) continue;
    const same = keys.every(
      (k, i) => k.field === index.fields[i]!.path && k.desc === (index.fields[i]!.order === 'DESC'),
    );
    const reversed = keys.every(
      (k, i) => k.field === index.fields[i]!.path && k.desc !== (index.fields[i]!.order === 'DESC'),
    );
    if (same || reversed) return { index, descending: reversed };
  }
  return undefined;
}

const MAX_EXPRESSION_CHARS = 3500;

/** The GSI Query for `index` in the partition `slotPk`, with `filter` as far as DynamoDB can check it. */
export function indexPath(index: IndexRecord, descending: boolean, slotPk: string, filter: Node): IndexPath {
  const ph = new Placeholders();
  const keyCondition = `${ph.name(gsiPk(index.slot))} = ${ph.value(slotPk)}`;
  let compiled = express(filter, ph);
  if (compiled.expr && compiled.expr.length + keyCondition.length > MAX_EXPRESSION_CHARS) {
    compiled = { expr: undefined, exact: false };
  }
  const used = new Set(`${keyCondition} ${compiled.expr ?? ''}`.match(/[#:][nv]\d+/g) ?? []);
  return {
    index,
    descending,
    keyCondition,
    filterExpression: compiled.expr,
    names: Object.fromEntries(Object.entries(ph.names).filter(([k]) => used.has(k))),
    values: Object.fromEntries(Object.entries(ph.values).filter(([k]) => used.has(k))),
  };
}
