/** The operator registry: Wix filter operator name -> its definition. */
import type { FieldOp } from '../ast';
import { eq } from './eq';
import { exists } from './exists';
import { hasAll } from './hasAll';
import { hasSome } from './hasSome';
import { inOp } from './in';
import { isEmpty } from './isEmpty';
import { gt, gte, lt, lte } from './ordered';
import { contains, endsWith, startsWith } from './text';
import type { OperatorDef } from './types';
import { matches, urlized } from './urlized';

export const OPERATORS: Readonly<Record<FieldOp, OperatorDef>> = {
  $eq: eq,
  $gt: gt,
  $gte: gte,
  $lt: lt,
  $lte: lte,
  $in: inOp,
  $hasSome: hasSome,
  $hasAll: hasAll,
  $contains: contains,
  $startsWith: startsWith,
  $endsWith: endsWith,
  $exists: exists,
  $matches: matches,
  $urlized: urlized,
  $isEmpty: isEmpty,
};

/** Negated operators, rewritten at parse time: `$ne` = not `$eq`, `$nin` = not `$in`. */
export const NEGATED: Readonly<Record<string, { op: FieldOp; capability: 'NE' }>> = {
  $ne: { op: '$eq', capability: 'NE' },
  $nin: { op: '$in', capability: 'NE' },
};

export function isFieldOperator(key: string): key is FieldOp {
  return Object.prototype.hasOwnProperty.call(OPERATORS, key);
}

export type { OperatorDef } from './types';
