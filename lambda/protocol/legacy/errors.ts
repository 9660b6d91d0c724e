/**
 * The one place where errors become legacy wire bodies: `{message}` with the domain error's status
 * (400 bad input, 401 auth, 404 not found, 409 already exists; 405/413/503 where the pipeline says so).
 * Anything that is not a domain error is a 500 that reveals nothing internal.
 */
import { isDomainError } from '../../errors';
import { json, type HttpResponse } from '../http';

export interface LegacyErrorBody {
  message: string;
}

export function legacyErrorBody(err: unknown): { status: number; body: LegacyErrorBody } {
  if (isDomainError(err)) {
    const message = err.status < 500 ? err.message.slice(0, 10000) : err.message;
    return { status: err.status, body: { message } };
  }
  return { status: 500, body: { message: 'Internal error' } };
}

export function legacyErrorResponse(err: unknown): HttpResponse {
  const { status, body } = legacyErrorBody(err);
  return json(status, body);
}
