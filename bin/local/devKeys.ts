/** Development credentials for local mode, created once under DATA_DIR and reused after. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevKeys {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  readonly secretKey: string;
  readonly secretKeyPath: string;
  /** HMAC key for cursors, kept so cursors stay valid across restarts. */
  readonly cursorSecret: string;
}

/**
 * The app id local mode runs with when it uses its generated key: the server requires it as the JWT
 * audience (as a deployment requires its real WIX_APP_ID) and the CLI signs with it, so
 * `npm start` then `npm run wix -- ...` works with nothing configured.
 */
export const LOCAL_DEV_APP_ID = 'local-dev-app';

export function devKeyDir(dataDir: string): string {
  return path.join(dataDir, 'dev-keys');
}

export function ensureDevKeys(dataDir: string): DevKeys {
  const dir = devKeyDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = path.join(dir, 'private.pem');
  const publicKeyPath = path.join(dir, 'public.pem');
  const secretKeyPath = path.join(dir, 'secret-key');
  if (!existsSync(privateKeyPath) || !existsSync(publicKeyPath)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(privateKeyPath, privateKey, { mode: 0o600 });
    writeFileSync(publicKeyPath, publicKey, { mode: 0o644 });
  }
  const cursorSecretPath = path.join(dir, 'cursor-secret');
  if (!existsSync(cursorSecretPath))
    writeFileSync(cursorSecretPath, randomBytes(32).toString('base64url'), { mode: 0o600 });
  if (!existsSync(secretKeyPath))
    writeFileSync(secretKeyPath, randomBytes(24).toString('base64url'), { mode: 0o600 });
  return {
    privateKeyPem: readFileSync(privateKeyPath, 'utf8'),
    publicKeyPem: readFileSync(publicKeyPath, 'utf8'),
    privateKeyPath,
    publicKeyPath,
    secretKey: readFileSync(secretKeyPath, 'utf8').trim(),
    secretKeyPath,
    cursorSecret: readFileSync(cursorSecretPath, 'utf8').trim(),
  };
}
