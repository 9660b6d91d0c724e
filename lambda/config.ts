/**
 * Configuration, read from the environment once, validated, typed and frozen.
 * Business code receives a Config; it never reads process.env itself.
 */

import { createPublicKey, randomBytes } from 'node:crypto';
import { AttachConfigError, parseAttachTables, type AttachEntry } from './model/attach';
import type { PagingMode } from './model/collection';
import { parseLegacyPermissions, type LegacyPermissions } from './model/legacyRoles';

export interface Config {
  /** The single DynamoDB table holding every collection of every tenant. */
  readonly tableName: string;
  /** AWS region for the SDK (local mode uses a placeholder). */
  readonly region: string;
  /** Explicit DynamoDB endpoint (local mode); undefined on AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /** PEM public keys that may sign V3 request bodies (several for rotation). */
  readonly wixPublicKeys: readonly string[];
  /**
   * Expected JWT audience. Undefined only when no public key is configured (V3 is then closed) or
   * when WIX_APP_ID=* says, explicitly, that tokens minted for any Wix app are accepted.
   */
  readonly wixAppId: string | undefined;
  /** WIX_APP_ID=*: the operator chose to accept any audience (logged at start). */
  readonly acceptAnyAudience: boolean;
  /** Legacy protocol master secret; undefined until fetched or when not configured. */
  readonly wixSecretKey: string | undefined;
  /**
   * The one tenant the master secret itself opens (WIX_SECRET_KEY_TENANT): by default a legacy
   * tenant of its own; a V3 instance id only when bound explicitly; undefined when set to `none`
   * (a deployment serving many sites, where only issued site secrets open tenants).
   */
  readonly legacyMasterTenant: string | undefined;
  /** Issued site secrets that no longer open anything: `<tenant>` (every generation) or `<tenant>@<n>`. */
  readonly legacyRevokedSecrets: readonly string[];
  /** Who may do what through the legacy protocol, beyond the defaults and collection permissions. */
  readonly legacyPermissions: LegacyPermissions;
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
  /**
   * How long after a truncate or collection delete a write into the retired generation can still
   * land: a purge keeps its marker and sweeps once more after this (see store/purge.ts).
   */
  readonly purgeGraceMs: number;
  /** How long an index build waits after the index is created: longer than any API request lives. */
  readonly indexBuildGraceMs: number;
  /** Per-request DynamoDB timeout (each retry gets its own). */
  readonly dynamodbTimeoutMs: number;
  /** Budget of one query: most items DynamoDB may read, and wall time. */
  readonly queryMaxItemsRead: number;
  readonly queryMaxMillis: number;
  /** Ask DynamoDB for the per-index split of consumed capacity (benchmarks); the total is always asked. */
  readonly measureCapacity: boolean;
  /**
   * Local mode: how long a request may run, like a function's timeout on AWS (where the Lambda
   * context gives the time left instead). Default: the functions' 29 s.
   */
  readonly requestTimeoutMs: number;
  /** Time kept back from the end of a request for answering 503, logging and flushing metrics. */
  readonly deadlineMarginMs: number;
  /** How long a secret read from Secrets Manager is cached; a rotated secret is used after this. */
  readonly secretsMaxAgeSeconds: number;
  /** Existing DynamoDB tables served as collections (`ATTACH_TABLES`, docs/existing-tables.md). */
  readonly attachTables: readonly AttachEntry[];
  /**
   * PAGING_MODE: the `pagingMode` every collection reports, so how Wix pages queries: `OFFSET`
   * (`paging.offset`) or `CURSOR` (`cursorPaging`, one page per request whatever the sort).
   */
  readonly pagingMode: PagingMode;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const BEGIN = '-----BEGIN';
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Accepts one or several public keys as: PEM (SPKI or PKCS#1 with BEGIN/END lines), base64 of a
 * PEM, or bare base64 of an SPKI DER, in any mix (a rotation may pair the old key in one form with
 * the new one in another). Several keys are separated by commas or blank lines, or are simply
 * consecutive PEM blocks. Anything that is not an RSA public key (a private key above all: pasting
 * it would publish the signing key in the configuration) stops the start with a clear message.
 */
export function parsePublicKeys(raw: string | undefined): string[] {
  if (!raw || !raw.trim()) return [];
  const text = raw.replace(/\\n/g, '\n').trim();
  const pems = [...text.matchAll(PEM_BLOCK)].map((m) => m[0]);
  const rest = text.replace(PEM_BLOCK, ' ');
  if (rest.includes(BEGIN) || rest.includes('-----END')) {
    throw new ConfigError('WIX_PUBLIC_KEY has a PEM block without its matching END line');
  }
  const tokens = rest.split(/[,\s]+/).filter(Boolean);
  const keys = [...pems, ...tokens.map(fromBase64)].map(normalisePem);
  keys.forEach((pem, i) =>
    checkRsaPublicKey(pem, keys.length > 1 ? `key ${i + 1} of WIX_PUBLIC_KEY` : 'WIX_PUBLIC_KEY'),
  );
  return keys;
}

function fromBase64(token: string): string {
  const body = token.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]+$/.test(body)) throw new ConfigError('WIX_PUBLIC_KEY is neither PEM nor base64');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (decoded.includes(BEGIN)) {
    const inner = decoded.match(PEM_BLOCK);
    if (!inner || inner.length !== 1) throw new ConfigError('WIX_PUBLIC_KEY holds a malformed base64 PEM');
    return inner[0];
  }
  // bare base64 SPKI DER
  return `-----BEGIN PUBLIC KEY-----\n${token}\n-----END PUBLIC KEY-----`;
}

function checkRsaPublicKey(pem: string, what: string): void {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1] ?? '';
  if (label.includes('PRIVATE')) {
    throw new ConfigError(
      `${what} is a private key (${label}); configure the public key only, and treat this private key as leaked`,
    );
  }
  let type: string | undefined;
  try {
    type = createPublicKey(pem).asymmetricKeyType;
  } catch {
    throw new ConfigError(`${what} is not a readable public key (${label || 'no PEM label'})`);
  }
  if (type !== 'rsa') throw new ConfigError(`${what} must be an RSA public key, not ${type ?? 'unknown'}`);
}

function normalisePem(pem: string): string {
  const m = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/);
  if (!m) throw new ConfigError('malformed PEM public key');
  const label = m[1]!;
  const body = m[2]!.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * WIX_APP_ID is the JWT audience. With a real public key an unset one would accept tokens Wix
 * minted for any other app, so it stops the start; `*` is the explicit way to accept any audience.
 */
function appIdFrom(
  env: Env,
  keys: readonly string[],
): { wixAppId: string | undefined; acceptAnyAudience: boolean } {
  const raw = env.WIX_APP_ID?.trim() ?? '';
  if (raw === '*') return { wixAppId: undefined, acceptAnyAudience: true };
  if (raw !== '') return { wixAppId: raw, acceptAnyAudience: false };
  if (keys.length > 0) {
    throw new ConfigError(
      'WIX_APP_ID is not set: with WIX_PUBLIC_KEY configured, V3 tokens must name this app as their audience. ' +
        'Set WIX_APP_ID to your Wix app id (Wix dev center), or to * to accept tokens minted for any Wix app.',
    );
  }
  return { wixAppId: undefined, acceptAnyAudience: false };
}

/** Tenants of the legacy protocol live under this prefix, which no V3 instance id may use. */
export const LEGACY_TENANT_PREFIX = 'legacy/';
/** The tenant the master secret opens unless WIX_SECRET_KEY_TENANT says otherwise. */
export const LEGACY_DEFAULT_TENANT = `${LEGACY_TENANT_PREFIX}default`;

function masterTenantFrom(env: Env): string | undefined {
  const raw = env.WIX_SECRET_KEY_TENANT?.trim() ?? '';
  if (raw === '') return LEGACY_DEFAULT_TENANT;
  if (raw === 'none') return undefined;
  if (raw.length > 256) throw new ConfigError('WIX_SECRET_KEY_TENANT must be at most 256 characters');
  return raw;
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
  const wixPublicKeys = parsePublicKeys(env.WIX_PUBLIC_KEY);
  const defaultTenant = env.DEFAULT_TENANT?.trim() || 'default';
  if (defaultTenant.startsWith(LEGACY_TENANT_PREFIX))
    throw new ConfigError(
      `DEFAULT_TENANT must not start with ${LEGACY_TENANT_PREFIX} (reserved for legacy tenants)`,
    );
  const config: Config = {
    tableName,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT?.trim() || undefined,
    wixPublicKeys: Object.freeze(wixPublicKeys),
    ...appIdFrom(env, wixPublicKeys),
    wixSecretKey: secret,
    legacyMasterTenant: masterTenantFrom(env),
    legacyRevokedSecrets: Object.freeze(list(env.LEGACY_REVOKED_SECRETS)),
    legacyPermissions: parseLegacyPermissions(env.LEGACY_PERMISSIONS, (m) => new ConfigError(m)),
    wixSecretKeyArn: env.WIX_SECRET_KEY_ARN?.trim() || undefined,
    defaultTenant,
    allowedTenants: Object.freeze(list(env.ALLOWED_TENANTS)),
    clockToleranceSeconds: intFrom(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 60, 0, 600),
    maxTokenAgeSeconds: intFrom(env, 'JWT_MAX_AGE_SECONDS', 3600, 60, 86400),
    // Without a configured key, a random one: cursors then only work within this process.
    cursorSecret: env.CURSOR_SECRET || randomBytes(32).toString('base64url'),
    cursorSecretArn: env.CURSOR_SECRET_ARN?.trim() || undefined,
    purgeFunctionName: env.PURGE_FUNCTION_NAME?.trim() || undefined,
    purgeGraceMs: intFrom(env, 'PURGE_GRACE_MS', 120_000, 0, 3_600_000),
    indexBuildGraceMs: intFrom(env, 'INDEX_BUILD_GRACE_MS', 60_000, 0, 600_000),
    dynamodbTimeoutMs: intFrom(env, 'DYNAMODB_TIMEOUT_MS', 5_000, 100, 60_000),
    queryMaxItemsRead: intFrom(env, 'QUERY_MAX_ITEMS_READ', 1_000_000, 100, 100_000_000),
    queryMaxMillis: intFrom(env, 'QUERY_MAX_MILLIS', 20_000, 100, 900_000),
    measureCapacity: env.MEASURE_CAPACITY === '1' || env.MEASURE_CAPACITY === 'true',
    requestTimeoutMs: intFrom(env, 'REQUEST_TIMEOUT_MS', 29_000, 1_000, 900_000),
    deadlineMarginMs: intFrom(env, 'DEADLINE_MARGIN_MS', 2_000, 100, 60_000),
    secretsMaxAgeSeconds: intFrom(env, 'SECRETS_MAX_AGE_SECONDS', 300, 0, 86_400),
    attachTables: Object.freeze(attachTables(env.ATTACH_TABLES, tableName)),
    pagingMode: pagingModeFrom(env.PAGING_MODE),
  };
  return Object.freeze(config);
}

const PAGING_MODES: readonly PagingMode[] = ['OFFSET', 'CURSOR'];

function pagingModeFrom(raw: string | undefined): PagingMode {
  const mode = (raw ?? '').trim().toUpperCase() || 'OFFSET';
  if (!(PAGING_MODES as readonly string[]).includes(mode))
    throw new ConfigError(`PAGING_MODE must be ${PAGING_MODES.join(' or ')} (any case)`);
  return mode as PagingMode;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * LOG_LEVEL (or POWERTOOLS_LOG_LEVEL), in any case: `silent` mutes the logs (tests). Read when the
 * logger is built, at module load, before the rest of the configuration.
 */
export function logLevelFrom(env: Env = process.env): LogLevel {
  const raw = (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || 'INFO').trim().toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (any case)`);
  }
  return raw as LogLevel;
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
