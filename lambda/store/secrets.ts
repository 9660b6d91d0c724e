/**
 * Secrets Manager reads through Powertools Parameters: cached per process for a while
 * (SECRETS_MAX_AGE_SECONDS), so a warm function does not call Secrets Manager on every request and
 * still picks up a rotated secret without a redeploy.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

export async function readSecret(arn: string, maxAgeSeconds: number): Promise<string> {
  const value = await getSecret(arn, { maxAge: maxAgeSeconds });
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error('the secret has no string value');
  }
  return value;
}
