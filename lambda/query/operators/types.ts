/** What every field operator provides: operand validation, evaluation and (where it can) a DynamoDB form. */
import type { QueryOperator } from '../../model/operators';
import type { FieldOp } from '../ast';
import type { Expressed, Placeholders } from '../placeholders';

export interface OperatorDef {
  readonly op: FieldOp;
  /** The field capability that allows it (`queryOperators` entry). */
  readonly capability: QueryOperator;
  /** Normalises the operand or throws a message describing what is wrong. */
  normalise(operand: unknown): unknown;
  /** Whether a field value (present or not) matches. */
  test(value: unknown, present: boolean, operand: unknown): boolean;
  /** The DynamoDB FilterExpression form, a superset or exact, or undefined when it must be done in memory. */
  express(field: string, operand: unknown, ph: Placeholders): Expressed | undefined;
}

export class OperandError extends Error {
  override readonly name = 'OperandError';
}
