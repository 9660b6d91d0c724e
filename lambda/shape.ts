/** Request-shape helpers shared by every edge and service. */
import { ValidationError } from './errors';
import { preview } from './text';

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws the 400 for one bad request field, naming it and previewing the rejected value safely. */
export function invalidField(fieldPath: string, message: string, rejected?: unknown): never {
  throw new ValidationError(`${fieldPath}: ${message}`, [
    { fieldPath, message, ...(rejected !== undefined ? { rejectedValue: preview(rejected) } : {}) },
  ]);
}
