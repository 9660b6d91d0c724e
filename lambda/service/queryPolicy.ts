/**
 * What a collection allows in queries: each declared field's advertised `queryOperators` and
 * `sortable` (from fieldTypes.ts) are enforced here, so what is advertised is exactly what works.
 * Fields a collection does not declare (Wix data is schemaless) accept every operator.
 */
import { ValidationError } from '../errors';
import type { SortKey } from '../query/ast';
import type { FieldPolicy } from '../query/parse';
import type { CollectionRecord } from './collectionModel';
import { capabilitiesFor } from './fieldTypes';

export function fieldPolicy(record: CollectionRecord): FieldPolicy {
  const byKey = new Map(record.fields.map((f) => [f.key, f]));
  return (field, capability) => {
    const def = byKey.get(field);
    if (!def) return undefined;
    const caps = capabilitiesFor(def.type, def.encrypted === true);
    if (caps.queryOperators.includes(capability)) return undefined;
    return `field ${field} (${def.type}) does not support ${capability}; it supports ${caps.queryOperators.join(', ') || 'no operators'}`;
  };
}

export function checkSort(record: CollectionRecord, sort: readonly SortKey[]): void {
  const byKey = new Map(record.fields.map((f) => [f.key, f]));
  sort.forEach((s, i) => {
    const def = byKey.get(s.field);
    if (def && !capabilitiesFor(def.type, def.encrypted === true).sortable) {
      throw new ValidationError(`field ${s.field} (${def.type}) is not sortable`, [
        { fieldPath: `sort[${i}].fieldName`, rejectedValue: s.field, message: 'not sortable' },
      ]);
    }
  });
}
