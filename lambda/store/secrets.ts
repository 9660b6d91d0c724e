/** Secrets Manager reads, once per process (cold start). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;

export async function readSecret(arn: string, region: string): Promise<string> {
  client ??= new SecretsManagerClient({ region });
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (typeof out.SecretString !== 'string' || out.SecretString.length === 0) {
    throw new Error('the secret has no string value');
  }
  return out.SecretString;
}
