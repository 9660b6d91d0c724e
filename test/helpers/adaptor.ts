/**
 * An in-process adaptor for integration tests: real dispatch, real JWT verification, real DynamoDB
 * Local (started by globalSetup). Each call signs its request like Wix does.
 */
import { randomUUID } from 'node:crypto';
import { signV3Request } from '../../bin/local/signer';
import { loadConfig } from '../../lambda/config';
import { dispatch } from '../../lambda/protocol/dispatch';
import type { Operation } from '../../lambda/protocol/operation';
import { matchRoute } from '../../lambda/routes';
import { buildDeps, type Deps } from '../../lambda/runtime';
import { issueSiteSecret } from '../../lambda/protocol/legacy/siteSecrets';
import { TEST_APP_ID, wixKeys } from './keys';
import path from 'node:path';

export interface CallResult<T = any> {
  status: number;
  body: T;
}

export interface TestAdaptor {
  readonly deps: Deps;
  readonly tenant: string;
  call<T = any>(path: string, request: unknown, options?: { tenant?: string }): Promise<CallResult<T>>;
  raw(path: string, body: string, method?: string): Promise<CallResult>;
  /**
   * A legacy (secret key) call: JSON body with a `requestContext` carrying a site secret issued for
   * the tenant (bound to it, as `issue-secret --bind-instance` does, so V3 and legacy share data),
   * the tenant as instanceId (Wix sends one; the adaptor ignores it) and role OWNER, unless the body
   * brings its own `requestContext`.
   */
  legacy<T = any>(
    path: string,
    body?: Record<string, unknown>,
    options?: LegacyCallOptions,
  ): Promise<CallResult<T>>;
}

export interface LegacyCallOptions {
  /** The tenant the site secret opens (default: the adaptor's). */
  tenant?: string;
  /** The secret to send instead (the master, a foreign site's, a forged one). */
  secret?: string;
  /** requestContext.instanceId (default: the tenant). */
  instanceId?: string;
  /** requestContext.role; null leaves it out. */
  role?: string | null;
}

export { TEST_APP_ID };

const operations = new Map<string, Operation>();
async function load(operation: string): Promise<Operation> {
  let op = operations.get(operation);
  if (!op) {
    op = (
      (await import(path.resolve(__dirname, '../../lambda/handlers', operation))) as { operation: Operation }
    ).operation;
    operations.set(operation, op);
  }
  return op;
}

export function testDeps(env: Record<string, string | undefined> = {}): Deps {
  const keys = wixKeys();
  // Index builds start at once: no API request of another process can be in flight.
  return buildDeps(
    loadConfig({
      ...process.env,
      WIX_PUBLIC_KEY: keys.publicKeyPem,
      WIX_APP_ID: TEST_APP_ID,
      INDEX_BUILD_GRACE_MS: '0',
      ...env,
    }),
  );
}

export function createTestAdaptor(options: { tenant?: string; deps?: Deps } = {}): TestAdaptor {
  const deps = options.deps ?? testDeps();
  const tenant = options.tenant ?? `tenant-${randomUUID()}`;
  const raw = async (p: string, body: string, method = 'POST'): Promise<CallResult> => {
    const match = matchRoute(p);
    const op = match ? await load(match.route.operation) : undefined;
    const res = await dispatch(match, op, { method, path: p, headers: {}, body }, deps);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  return {
    deps,
    tenant,
    raw,
    async call(p, request, callOptions = {}) {
      const jwt = await signV3Request(request, {
        privateKeyPem: wixKeys().privateKeyPem,
        instanceId: callOptions.tenant ?? tenant,
        ...(deps.config.wixAppId ? { appId: deps.config.wixAppId } : {}),
      });
      return raw(p, jwt);
    },
    async legacy(p, body = {}, callOptions = {}) {
      const opens = callOptions.tenant ?? tenant;
      const master = deps.config.wixSecretKey;
      const secretKey =
        'secret' in callOptions ? callOptions.secret : master && issueSiteSecret(master, opens);
      const role = callOptions.role === undefined ? 'OWNER' : callOptions.role;
      const requestContext = {
        settings: { secretKey },
        instanceId: callOptions.instanceId ?? opens,
        installationId: 'test-installation',
        memberId: 'test-member',
        ...(role === null ? {} : { role }),
      };
      return raw(p, JSON.stringify({ requestContext, ...body }));
    },
  };
}

/** Waits until background purges (truncate, delete collection) are done. */
export async function purgesIdle(adaptor: TestAdaptor): Promise<void> {
  const purger = adaptor.deps.purger as { idle?: () => Promise<void> };
  await purger.idle?.();
}

/** Waits until background index builds are done. */
export async function buildsIdle(adaptor: TestAdaptor): Promise<void> {
  const builder = adaptor.deps.indexBuilder as { idle?: () => Promise<void> };
  await builder.idle?.();
}
