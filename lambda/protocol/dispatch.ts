/**
 * The request pipeline shared by every Lambda and the local server:
 * method + size checks -> authenticate (per the path's protocol) -> one service call -> JSON answer,
 * with every failure translated at the protocol's single error edge.
 */
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  classifyFailure,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ResponseTooLargeError,
  RouteNotFoundError,
  isDomainError,
} from '../errors';
import { errorFields, logger } from '../log';
import { recordRequest } from '../metrics';
import { emptyUsage, inRequestScope } from '../store/requestScope';
import type { RouteMatch } from '../routes';
import type { Deps } from '../runtime';
import { RequestBudget } from '../model/budget';
import type { Caller, RequestContext } from '../model/context';
import {
  json,
  MAX_BODY_BYTES,
  MAX_RESPONSE_BYTES,
  responseBytes,
  type HttpRequest,
  type HttpResponse,
} from './http';
import type { Json, Operation } from './operation';
import { authorizeLegacy } from './legacy/access';
import { openLegacyRequest } from './legacy/envelope';
import { legacyErrorResponse } from './legacy/errors';
import { openEnvelope } from './v3/envelope';
import { v3ErrorResponse } from './v3/errors';
import { isCompactJws } from './compactJws';

export interface DispatchOptions {
  /** Epoch ms by which the answer must be sent (Lambda: remaining time minus a margin). */
  readonly deadline?: number;
}

export async function dispatch(
  match: RouteMatch | undefined,
  op: Operation | undefined,
  req: HttpRequest,
  deps: Deps,
  options: DispatchOptions = {},
): Promise<HttpResponse> {
  const started = Date.now();
  const budget = new RequestBudget({
    maxItemsRead: deps.config.queryMaxItemsRead,
    maxMillis: deps.config.queryMaxMillis,
    deadline: options.deadline,
  });
  const withBudget = (caller: Caller): RequestContext => ({ ...caller, budget });
  const usage = emptyUsage();
  let requestId: string = randomUUID();
  let tenant: string | undefined;
  let errorCode: string | undefined;
  // Every DynamoDB call below sees this request's deadline and adds to its usage (store/requestScope.ts).
  const response = await inRequestScope({ budget, usage }, async (): Promise<HttpResponse> => {
    try {
      if (!match || !op) throw new RouteNotFoundError(req.path);
      if (req.method.toUpperCase() !== 'POST') throw new MethodNotAllowedError(req.method);
      if (Buffer.byteLength(req.body, 'utf8') > MAX_BODY_BYTES)
        throw new PayloadTooLargeError(MAX_BODY_BYTES);

      let result: unknown;
      if (match.protocol === 'v3') {
        if (!op.v3) throw new RouteNotFoundError(req.path);
        const payload = await deps.verifyToken(req.body);
        const envelope = openEnvelope(payload, deps.config, requestId);
        requestId = envelope.context.requestId;
        tenant = envelope.context.tenant;
        result = await op.v3(envelope.request, withBudget(envelope.context), deps);
      } else if (match.protocol === 'legacy') {
        if (!op.legacy) throw new RouteNotFoundError(req.path);
        const envelope = openLegacyRequest(req.body, deps.config, requestId);
        tenant = envelope.context.tenant;
        await authorizeLegacy(match.path, envelope, deps);
        result = await op.legacy(envelope.request, withBudget(envelope.context), deps, match.path);
      } else if (match.protocol === 'open') {
        if (!op.open) throw new RouteNotFoundError(req.path);
        result = await op.open(await openBody(req.body, deps, requestId), deps, match.path);
      } else {
        throw new RouteNotFoundError(req.path);
      }
      const ok = json(200, result ?? {});
      const bytes = responseBytes(ok);
      if (bytes > MAX_RESPONSE_BYTES) throw new ResponseTooLargeError(bytes, MAX_RESPONSE_BYTES);
      return ok;
    } catch (caught) {
      if (!isDomainError(caught) || caught.status >= 500)
        logFailure(caught, requestId, match?.route.operation);
      const err = classifyFailure(caught);
      errorCode = isDomainError(err) ? err.code : 'UNKNOWN_ERROR';
      return match?.protocol === 'legacy' ? legacyErrorResponse(err) : v3ErrorResponse(err);
    }
  });
  const operation = match?.route.operation ?? 'unknown';
  const ms = Date.now() - started;
  // One line per request: who asked, what it cost (the per-tenant cost view reads these fields).
  logger.info('request', {
    requestId,
    operation,
    tenant,
    status: response.statusCode,
    ...(errorCode ? { errorCode } : {}),
    ms,
    dynamodbRequests: usage.requests,
    itemsRead: usage.itemsRead,
    // These key names are what the stack's Contributor Insights rules and dashboard query read.
    readCapacity: usage.readUnits,
    writeCapacity: usage.writeUnits,
  });
  recordRequest({
    operation,
    ms,
    itemsRead: usage.itemsRead,
    readUnits: usage.readUnits,
    writeUnits: usage.writeUnits,
    errorCode,
  });
  return response;
}

/**
 * An unauthenticated path (`/v3/provision`) takes plain JSON or, as Wix's V3 calls send it, a signed
 * JWT body: that one is verified like any V3 body and its `data.request` is the request.
 */
async function openBody(body: string, deps: Deps, requestId: string): Promise<Json> {
  const text = body.trim();
  if (!isCompactJws(text)) return parseOptionalJson(text);
  const envelope = openEnvelope(await deps.verifyToken(text), deps.config, requestId);
  return envelope.request;
}

function parseOptionalJson(body: string): Json {
  const text = body.trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    throw new BadRequestError('the body is not valid JSON');
  }
}

function logFailure(err: unknown, requestId: string, operation: string | undefined): void {
  logger.error('request failed', { requestId, operation, ...errorFields(err) });
}
