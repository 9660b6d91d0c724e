/**
 * Secrets named by ARN, read through Powertools Parameters: a denied read answers a retryable 503
 * (not 500), and a rotated secret is picked up by a warm function once the cache has aged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { localContext } from '../../bin/local/lambdaContext';
import { loadConfig, setConfig } from '../../lambda/config';
import { operation as provision } from '../../lambda/handlers/provision';
import { lambdaHandler } from '../../lambda/protocol/lambda';
import { setDeps } from '../../lambda/runtime';

const sm = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:wix-secret-key-AbCdEf';

function legacyProvision(secretKey: string) {
  const body = JSON.stringify({ requestContext: { settings: { secretKey }, instanceId: 'tenant-s' } });
  return { rawPath: '/provision', body, requestContext: { http: { method: 'POST', path: '/provision' } } };
}

beforeEach(() => {
  sm.reset();
  setDeps(undefined);
  setConfig(
    loadConfig({ ...process.env, WIX_SECRET_KEY: '', WIX_SECRET_KEY_ARN: ARN, SECRETS_MAX_AGE_SECONDS: '0' }),
  );
});

afterAll(() => {
  setDeps(undefined);
  setConfig(undefined);
  sm.restore();
});

describe('secrets at cold start', () => {
  it.each([
    ['denied', Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $fault: 'client' })],
    ['unreachable', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])(
    'answers a retryable 503 when the read is %s, and recovers on the next request',
    async (_name, error) => {
      const handler = lambdaHandler('provision', provision);
      sm.on(GetSecretValueCommand).rejectsOnce(error).resolves({ SecretString: 'the-secret' });
      const failed = await handler(legacyProvision('the-secret'), localContext('provision', 29_000));
      expect(failed.statusCode).toBe(503);
      expect(JSON.parse(failed.body)).toEqual({ message: expect.stringContaining('retry') });
      const next = await handler(legacyProvision('the-secret'), localContext('provision', 29_000));
      expect(next.statusCode).toBe(200);
    },
  );
});

describe('a rotated secret', () => {
  it('is used by a warm function once the cached value has aged, without a new deployment', async () => {
    const handler = lambdaHandler('provision', provision);
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'before-rotation' });
    expect(
      (await handler(legacyProvision('before-rotation'), localContext('provision', 29_000))).statusCode,
    ).toBe(200);
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'after-rotation' });
    expect(
      (await handler(legacyProvision('after-rotation'), localContext('provision', 29_000))).statusCode,
    ).toBe(200);
    expect(
      (await handler(legacyProvision('before-rotation'), localContext('provision', 29_000))).statusCode,
    ).toBe(401);
  });
});
