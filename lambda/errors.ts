/**
 * The closed set of domain errors. Services and stores throw these; exactly one function per protocol
 * (protocol/v3/errors.ts, protocol/legacy/errors.ts) turns them into a wire body. Codes are stable:
 * they are the Wix SPI codes where Wix defines one, and our own otherwise.
 */

export type ErrorData = Record<string, unknown>;

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly data: ErrorData | undefined;

  constructor(message: string, data?: ErrorData) {
    super(message);
    this.data = data;
  }
}

/** A malformed request: wrong shape, missing required field, unknown path. */
export class BadRequestError extends DomainError {
  readonly code = 'BAD_REQUEST';
  readonly status = 400;
  override readonly name = 'BadRequestError';
}

export interface Violation {
  fieldPath: string;
  rejectedValue?: string;
  message: string;
}

/** Well-formed but invalid input; carries per-field violations (at most 100, as Wix allows). */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_ERROR';
  readonly status = 400;
  override readonly name = 'ValidationError';

  constructor(message: string, violations: Violation[] = []) {
    super(message, { violations: violations.slice(0, 100).map(clipViolation) });
  }
}

function clipViolation(v: Violation): Violation {
  const out: Violation = { fieldPath: v.fieldPath.slice(0, 1000), message: v.message.slice(0, 1000) };
  if (v.rejectedValue !== undefined) out.rejectedValue = v.rejectedValue.slice(0, 1000);
  return out;
}

export type UnauthorizedReason =
  | 'MISSING_TOKEN'
  | 'MALFORMED_TOKEN'
  | 'UNSUPPORTED_ALGORITHM'
  | 'INVALID_SIGNATURE'
  | 'INVALID_ISSUER'
  | 'INVALID_AUDIENCE'
  | 'TOKEN_EXPIRED'
  | 'MISSING_EXPIRY'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_TOO_LONG_LIVED'
  | 'INVALID_PAYLOAD'
  | 'NO_KEY_CONFIGURED'
  | 'INVALID_SECRET_KEY'
  | 'MISSING_ROLE'
  | 'UNKNOWN_ROLE'
  | 'TENANT_NOT_ALLOWED';

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
  readonly status = 401;
  override readonly name = 'UnauthorizedError';
  readonly reason: UnauthorizedReason;

  constructor(reason: UnauthorizedReason, message: string) {
    super(`Authorization failed: ${message}`, { reason });
    this.reason = reason;
  }
}

/** Authenticated, but the caller's role may not do this (legacy role policy). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
  override readonly name = 'ForbiddenError';
}

export class CollectionNotFoundError extends DomainError {
  readonly code = 'COLLECTION_NOT_FOUND';
  readonly status = 404;
  override readonly name = 'CollectionNotFoundError';
  constructor(collectionId: string) {
    super(`Collection ${collectionId} not found`, { collectionId });
  }
}

export class CollectionAlreadyExistsError extends DomainError {
  readonly code = 'COLLECTION_ALREADY_EXISTS';
  readonly status = 409;
  override readonly name = 'CollectionAlreadyExistsError';
  constructor(collectionId: string) {
    super(`Collection ${collectionId} already exists`, { collectionId });
  }
}

export interface FieldChangeError {
  fieldKey: string;
  message: string;
}

export class CollectionChangeNotSupportedError extends DomainError {
  readonly code = 'COLLECTION_CHANGE_NOT_SUPPORTED';
  readonly status = 400;
  override readonly name = 'CollectionChangeNotSupportedError';
  readonly errors: FieldChangeError[];
  constructor(errors: FieldChangeError[]) {
    const clipped = errors.slice(0, 100);
    super(
      `Collection change not supported: ${clipped.map((e) => `${e.fieldKey}: ${e.message}`).join('; ')}`,
      {
        errors: clipped,
      },
    );
    this.errors = clipped;
  }
}

export class FieldNotFoundError extends DomainError {
  readonly code = 'FIELD_NOT_FOUND';
  readonly status = 404;
  override readonly name = 'FieldNotFoundError';
  constructor(collectionId: string, fieldKey: string) {
    super(`Collection ${collectionId} has no field ${fieldKey}`, { collectionId, fieldKey });
  }
}

export class ItemNotFoundError extends DomainError {
  readonly code = 'ITEM_NOT_FOUND';
  readonly status = 404;
  override readonly name = 'ItemNotFoundError';
  constructor(itemId: string) {
    super(`Item ${itemId} not found`, { itemId });
  }
}

export class ItemAlreadyExistsError extends DomainError {
  readonly code = 'ITEM_ALREADY_EXISTS';
  readonly status = 409;
  override readonly name = 'ItemAlreadyExistsError';
  constructor(itemId: string) {
    super(`Item ${itemId} already exists`, { itemId });
  }
}

/**
 * A write would give a unique index's field a value another item already holds: Wix's
 * ITEM_ALREADY_EXISTS, naming the index, the field and the value (service/uniqueWrites.ts).
 */
export class UniqueValueTakenError extends DomainError {
  readonly code = 'ITEM_ALREADY_EXISTS';
  readonly status = 409;
  override readonly name = 'UniqueValueTakenError';
  constructor(itemId: string, index: string, field: string, value: string) {
    super(`Item ${itemId} cannot hold ${field} = ${value}: unique index ${index} already has that value`, {
      itemId,
      index,
      field,
      value,
    });
  }
}

/** An index name is unique per collection: a second index with a taken name is refused. */
export class IndexAlreadyExistsError extends DomainError {
  readonly code = 'INDEX_ALREADY_EXISTS';
  readonly status = 409;
  override readonly name = 'IndexAlreadyExistsError';
  constructor(collectionId: string, indexName: string) {
    super(`Collection ${collectionId} already has an index named ${indexName}`, { collectionId, indexName });
  }
}

export class IndexNotFoundError extends DomainError {
  readonly code = 'INDEX_NOT_FOUND';
  readonly status = 404;
  override readonly name = 'IndexNotFoundError';
  constructor(collectionId: string, indexName: string) {
    super(`Collection ${collectionId} has no index named ${indexName}`, { collectionId, indexName });
  }
}

export class ReferenceNotFoundError extends DomainError {
  readonly code = 'REFERENCE_NOT_FOUND';
  readonly status = 404;
  override readonly name = 'ReferenceNotFoundError';
  constructor(referringItemId: string, referencedItemId: string) {
    super(`Reference from ${referringItemId} to ${referencedItemId} not found`, {
      referringItemId,
      referencedItemId,
    });
  }
}

export class ReferenceAlreadyExistsError extends DomainError {
  readonly code = 'REFERENCE_ALREADY_EXISTS';
  readonly status = 409;
  override readonly name = 'ReferenceAlreadyExistsError';
  constructor(referringItemId: string, referencedItemId: string) {
    super(`Reference from ${referringItemId} to ${referencedItemId} already exists`, {
      referringItemId,
      referencedItemId,
    });
  }
}

/** No route for this path. */
export class RouteNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  override readonly name = 'RouteNotFoundError';
  constructor(path: string) {
    super(`No operation at ${path.slice(0, 200)}`);
  }
}

export class MethodNotAllowedError extends DomainError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly status = 405;
  override readonly name = 'MethodNotAllowedError';
  constructor(method: string) {
    super(`Method ${method.slice(0, 20)} not allowed; protocol paths accept POST`);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
  override readonly name = 'PayloadTooLargeError';
  constructor(limit: number) {
    super(`Request body exceeds ${limit} bytes`);
  }
}

/**
 * The answer would not fit in Lambda's response limit (6 MB for the whole response): the caller
 * asks for fewer items (a smaller `limit`) or fewer fields.
 */
export class ResponseTooLargeError extends DomainError {
  readonly code = 'RESPONSE_TOO_LARGE';
  readonly status = 400;
  override readonly name = 'ResponseTooLargeError';
  constructor(bytes: number, limit: number) {
    super(
      `the answer would be ${bytes} bytes, more than the ${limit} bytes a response may have; ask for fewer items (a smaller limit) or fewer fields`,
    );
  }
}

/** DynamoDB kept throttling after our retries; the caller may retry the whole request. */
export class ThrottledError extends DomainError {
  readonly code = 'THROTTLED';
  readonly status = 503;
  override readonly name = 'ThrottledError';
  constructor(message = 'DynamoDB is throttling requests; retry later') {
    super(message);
  }
}

/** Another writer changed the same metadata concurrently; the caller may retry. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  readonly status = 409;
  override readonly name = 'ConflictError';
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** A write to a collection that only offers reads (an attached table, docs/existing-tables.md). */
export class CollectionReadOnlyError extends DomainError {
  readonly code = 'UNSUPPORTED_OPERATION';
  readonly status = 400;
  override readonly name = 'CollectionReadOnlyError';
  constructor(collectionId: string, operation: string, reason: string) {
    super(`${operation} refused: ${reason}`, { collectionId, operation });
  }
}

/** The query would read more than the request's budget allows (time or items). */
export class QueryTooExpensiveError extends DomainError {
  readonly code = 'QUERY_TOO_EXPENSIVE';
  readonly status = 400;
  override readonly name = 'QueryTooExpensiveError';
}

/** DynamoDB (or the network to it) is failing; the caller may retry the request. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly status = 503;
  override readonly name = 'ServiceUnavailableError';
  constructor(message = 'the database is not answering; retry later') {
    super(message);
  }
}

const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
const UNAVAILABLE_NAMES = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Infrastructure failures that survived the SDK's retries become retryable domain errors (503), so
 * Wix sees "try again" rather than an internal error. Anything else is returned unchanged.
 */
export function classifyFailure(err: unknown): unknown {
  if (isDomainError(err) || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (THROTTLING_NAMES.has(err.name)) return new ThrottledError();
  if (UNAVAILABLE_NAMES.has(err.name) || (typeof code === 'string' && NETWORK_CODES.has(code)))
    return new ServiceUnavailableError();
  const fault = (err as { $fault?: unknown }).$fault;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (fault === 'server' || (typeof status === 'number' && status >= 500))
    return new ServiceUnavailableError();
  return err;
}
