/** V3 encoding of per-item results: each slot is exactly one of {item} or {error}. */
import type { DomainError } from '../../errors';
import { v3ErrorObject } from './errors';

export function v3Results<K extends string, T>(
  key: K,
  results: readonly ({ [P in K]: T } | { error: DomainError })[],
): { results: unknown[] } {
  return {
    results: results.map((r) =>
      'error' in r ? { error: v3ErrorObject(r.error) } : { [key]: (r as { [P in K]: T })[key] },
    ),
  };
}
