/** The parsed filter: a small tree every later stage (validate, plan, express, evaluate) walks. */

export type FieldOp =
  | '$eq'
  | '$gt'
  | '$gte'
  | '$lt'
  | '$lte'
  | '$in'
  | '$hasSome'
  | '$hasAll'
  | '$contains'
  | '$startsWith'
  | '$endsWith'
  | '$exists'
  | '$matches'
  | '$urlized'
  | '$isEmpty';

export type Node =
  | { readonly kind: 'all' }
  | { readonly kind: 'and'; readonly children: readonly Node[] }
  | { readonly kind: 'or'; readonly children: readonly Node[] }
  | { readonly kind: 'not'; readonly child: Node }
  | { readonly kind: 'cmp'; readonly field: string; readonly op: FieldOp; readonly operand: unknown };

export const ALL: Node = { kind: 'all' };

export interface SortKey {
  readonly field: string;
  readonly desc: boolean;
}
