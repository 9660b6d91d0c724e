/**
 * Configuration, read from the environment once, validated, typed and frozen.
 * Business code receives a Config; it never reads process.env itself.
 */

import { randomBytes } from 'node:crypto';
import { AttachConfigError, parseAttachTables, type AttachEntry } from './model/attach';

export interface Config {
  /** The single DynamoDB table holding every collection of every tenant. */
  readonly tableName: string;
  /** AWS region for the SDK (local mode uses a placeholder). */
  readonly region: string;
  /** Explicit DynamoDB endpoint (local mode); undefined on AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /** PEM public keys that may sign V3 request bodies (several for rotation). */
  readonly wixPublicKeys: readonly string[];
  /** Expected JWT audience; undefined means "do not check". */
  readonly wixAppId: string | undefined;
  /** Legacy protocol shared secret; undefined until fetched or when not configured. */
  readonly wixSecretKey: string | undefined;
  /** Secrets Manager ARN holding the legacy secret key (AWS mode). */
  readonly wixSecretKeyArn: string | undefined;
  /** Tenant used when a request carries no instanceId. */
  readonly defaultTenant: string;
  /** When non-empty, only these tenants (instanceIds) are served. */
  readonly allowedTenants: readonly string[];
  /** Allowed clock skew, seconds, for JWT exp/iat/nbf. */
  readonly clockToleranceSeconds: number;
  /** Longest accepted JWT lifetime (exp - iat), seconds. */
  readonly maxTokenAgeSeconds: number;
  /** Key for signing cursors (HMAC). */
  readonly cursorSecret: string;
  /** Secrets Manager ARN holding the cursor key (AWS mode). */
  readonly cursorSecretArn: string | undefined;
  /** Name of the function that purges truncated/deleted partitions (AWS mode). */
  readonly purgeFunctionName: string | undefined;
  /** Per-request DynamoDB timeout (each retry gets its own). */
  readonly dynamodbTimeoutMs: number;
  /** Budget of one query: most items DynamoDB may read, and wall time. */
  readonly queryMaxItemsRead: number;
  readonly queryMaxMillis: number;
  /** Ask DynamoDB for consumed capacity on every call (benchmarks). */
  readonly measureCapacity: boolean;
  /** Existing DynamoDB tables served as collections (`ATTACH_TABLES`, docs/existing-tables.md). */
  readonly attachTables: readonly AttachEntry[];
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const BEGIN = '-----BEGIN';

/**
 * Accepts one or several public keys as: PEM (SPKI or PKCS#1 with BEGIN/END lines), base64 of a
 * PEM, or bare base64 of an SPKI DER. Several keys are separated by commas or blank lines, or are
 * simply consecutive PEM blocks.
 */
export function parsePublicKeys(raw: string | undefined): string[] {
  if (!raw || !raw.trim()) return [];
  const text = raw.replace(/\\n/g, '\n').trim();
  const blocks = text.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g);
  if (blocks && blocks.length > 0) return blocks.map(normalisePem);
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((token) => {
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      if (decoded.includes(BEGIN)) return normalisePem(decoded.trim());
      // bare base64 SPKI DER
      const body = token.replace(/=+$/, '');
      if (!/^[A-Za-z0-9+/]+$/.test(body)) throw new ConfigError('WIX_PUBLIC_KEY is neither PEM nor base64');
      return normalisePem(`-----BEGIN PUBLIC KEY-----\n${token}\n-----END PUBLIC KEY-----`);
    });
}

function normalisePem(pem: string): string {
  const m = pem.match(/-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/);
  if (!m) throw new ConfigError('malformed PEM public key');
  const label = m[1]!;
  const body = m[2]!.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function intFrom(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function loadConfig(env: Env = process.env): Config {
  const tableName = env.TABLE_NAME?.trim() || 'wix-adaptor';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName))
    throw new ConfigError('TABLE_NAME is not a valid table name');
  const secret = env.WIX_SECRET_KEY && env.WIX_SECRET_KEY.length > 0 ? env.WIX_SECRET_KEY : undefined;
  const config: Config = {
    tableName,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT?.trim() || undefined,
    wixPublicKeys: Object.freeze(parsePublicKeys(env.WIX_PUBLIC_KEY)),
    wixAppId: env.WIX_APP_ID?.trim() || undefined,
    wixSecretKey: secret,
    wixSecretKeyArn: env.WIX_SECRET_KEY_ARN?.trim() || undefined,
    defaultTenant: env.DEFAULT_TENANT?.trim() || 'default',
    allowedTenants: Object.freeze(list(env.ALLOWED_TENANTS)),
    clockToleranceSeconds: intFrom(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 60, 0, 600),
    maxTokenAgeSeconds: intFrom(env, 'JWT_MAX_AGE_SECONDS', 3600, 60, 86400),
    // Without a configured key, a random one: cursors then only work within this process.
    cursorSecret: env.CURSOR_SECRET || randomBytes(32).toString('base64url'),
    cursorSecretArn: env.CURSOR_SECRET_ARN?.trim() || undefined,
    purgeFunctionName: env.PURGE_FUNCTION_NAME?.trim() || undefined,
    dynamodbTimeoutMs: intFrom(env, 'DYNAMODB_TIMEOUT_MS', 5_000, 100, 60_000),
    queryMaxItemsRead: intFrom(env, 'QUERY_MAX_ITEMS_READ', 1_000_000, 100, 100_000_000),
    queryMaxMillis: intFrom(env, 'QUERY_MAX_MILLIS', 20_000, 100, 900_000),
    measureCapacity: env.MEASURE_CAPACITY === '1' || env.MEASURE_CAPACITY === 'true',
    attachTables: Object.freeze(attachTables(env.ATTACH_TABLES, tableName)),
  };
  return Object.freeze(config);
}

function attachTables(raw: string | undefined, ownTable: string): AttachEntry[] {
  try {
    const entries = parseAttachTables(raw);
    const own = entries.findIndex((e) => e.table === ownTable);
    if (own >= 0)
      throw new AttachConfigError(
        `entry [${own}] names the adaptor's own table "${ownTable}", which cannot be attached`,
      );
    return entries;
  } catch (err) {
    if (err instanceof AttachConfigError) throw new ConfigError(`ATTACH_TABLES ${err.message}`);
    throw err;
  }
}

let cached: Config | undefined;

/** The process-wide configuration, read on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Tests and the local server replace the configuration (for example after starting DynamoDB Local). */
export function setConfig(config: Config | undefined): void {
  cached = config;
}
