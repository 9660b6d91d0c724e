/** The one place where errors become V3 wire bodies. */
import { isDomainError } from '../../errors';
import { json, type HttpResponse } from '../http';

export interface V3ErrorBody {
  errorCode: string;
  errorMessage: string;
  data: Record<string, unknown>;
  /** The shape @wix/sdk's self-hosting helper emits; extra keys are ignored by Wix. */
  applicationError: { code: string; description: string; data: Record<string, unknown> };
}

/** Per-item error objects inside bulk results (`results[i].error`). */
export function v3ErrorObject(err: unknown): {
  errorCode: string;
  errorMessage: string;
  data: Record<string, unknown>;
} {
  if (isDomainError(err) && err.status < 500) {
    return { errorCode: err.code, errorMessage: err.message.slice(0, 10000), data: err.data ?? {} };
  }
  if (isDomainError(err)) return { errorCode: err.code, errorMessage: err.message, data: {} };
  return { errorCode: 'UNKNOWN_ERROR', errorMessage: 'Internal error', data: {} };
}

/** Whole-request error response. Unknown failures become a 500 that reveals nothing internal. */
export function v3ErrorResponse(err: unknown): HttpResponse {
  const status = isDomainError(err) ? err.status : 500;
  const obj = v3ErrorObject(err);
  const body: V3ErrorBody = {
    ...obj,
    applicationError: { code: obj.errorCode, description: obj.errorMessage, data: obj.data },
  };
  return json(status, body);
}
