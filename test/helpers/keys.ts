/** RSA key pairs for tests, generated once per worker. */
import { generateKeyPairSync } from 'node:crypto';

export interface TestKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function newKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

let shared: TestKeyPair | undefined;
/** The "Wix" key pair the test adaptor trusts. */
export function wixKeys(): TestKeyPair {
  shared ??= newKeyPair();
  return shared;
}

/** The app id every test deployment is configured with and every test token is minted for. */
export const TEST_APP_ID = 'test-app';
