/**
 * A small CLI that calls the adaptor the way Wix does.
 *
 *   npm run wix -- collections/get '{"collectionIds":[]}'
 *   npm run wix -- items/query @request.json --instance site-a
 *   echo '{}' | npm run wix -- capabilities/get -
 *   npm run wix -- data/find '{"collectionName":"cities","filter":{"name":{"$eq":"Paris"}}}'   # legacy
 *   npm run wix -- issue-secret my-site [--generation 2] [--bind-instance V3_INSTANCE_ID]
 *
 * Options: --url URL (default http://HOST:PORT), --key PRIVATE_KEY_PEM_FILE (default the local dev key),
 * --instance INSTANCE_ID, --app-id APP_ID (JWT audience), --identity JSON, --raw (print compact JSON),
 * --secret KEY (legacy paths: default WIX_SECRET_KEY, else the local dev secret DATA_DIR/dev-keys/secret-key),
 * --role ROLE (legacy requestContext.role, default OWNER).
 *
 * issue-secret prints the secret for one legacy site, derived from the master secret (--secret,
 * WIX_SECRET_KEY or the local dev secret): the site owner pastes it into the CMS as secretKey and it
 * opens the tenant legacy/<site> only (or, with --bind-instance, the V3 installation named).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { issueSiteSecret, siteTenant } from '../lambda/protocol/legacy/siteSecrets';
import { LEGACY_TENANT_PREFIX } from '../lambda/config';
import { devKeyDir, LOCAL_DEV_APP_ID } from './local/devKeys';
import { pathFor, send, signV3Request } from './local/signer';

interface Args {
  operation: string;
  body: string;
  url: string;
  keyFile: string;
  instanceId: string;
  appId: string | undefined;
  identity: Record<string, unknown> | undefined;
  raw: boolean;
  /** Legacy secret key; undefined when none is given or found (the adaptor then answers 401). */
  secret: string | undefined;
  role: string;
  generation: number;
  bindInstance: string | undefined;
}

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(
    'usage: npm run wix -- <operation> [json | @file | -] [--url URL] [--key FILE] [--instance ID] [--app-id ID] [--identity JSON] [--secret KEY] [--role ROLE] [--raw]\n' +
      '       npm run wix -- issue-secret <site> [--generation N] [--bind-instance V3_INSTANCE_ID] [--secret MASTER]\n',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const env = process.env;
  const positional: string[] = [];
  const args: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--url') args.url = next();
    else if (a === '--key') args.keyFile = next();
    else if (a === '--instance') args.instanceId = next();
    else if (a === '--app-id') args.appId = next();
    else if (a === '--identity') args.identity = JSON.parse(next()) as Record<string, unknown>;
    else if (a === '--secret') args.secret = next();
    else if (a === '--role') args.role = next();
    else if (a === '--generation') args.generation = Number(next());
    else if (a === '--bind-instance') args.bindInstance = next();
    else if (a === '--raw') args.raw = true;
    else if (a === '--help' || a === '-h') usage();
    else positional.push(a);
  }
  const [operation, bodyArg] = positional;
  if (!operation) usage('missing operation');
  let body = bodyArg ?? '{}';
  if (body === '-') body = readFileSync(0, 'utf8');
  else if (body.startsWith('@')) body = readFileSync(body.slice(1), 'utf8');
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  const keyFile = args.keyFile ?? env.WIX_PRIVATE_KEY_FILE;
  return {
    operation,
    body,
    url: args.url ?? env.ADAPTOR_URL ?? `http://${env.HOST || '127.0.0.1'}:${env.PORT || 8080}`,
    keyFile: keyFile ?? path.join(devKeyDir(dataDir), 'private.pem'),
    instanceId: args.instanceId ?? env.WIX_INSTANCE_ID ?? 'local-dev-instance',
    // With the local dev key, the audience the local server expects (bin/server.ts).
    appId: args.appId ?? (env.WIX_APP_ID || (keyFile === undefined ? LOCAL_DEV_APP_ID : undefined)),
    identity: args.identity,
    raw: args.raw ?? false,
    secret: args.secret ?? (env.WIX_SECRET_KEY || readDevSecret(dataDir)),
    role: args.role ?? 'OWNER',
    generation: args.generation ?? 1,
    bindInstance: args.bindInstance,
  };
}

function readDevSecret(dataDir: string): string | undefined {
  try {
    return readFileSync(path.join(devKeyDir(dataDir), 'secret-key'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Legacy bodies carry their credentials: adds the requestContext Wix would send, unless one is given. */
function withRequestContext(request: unknown, args: Args): unknown {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return request;
  if ('requestContext' in request) return request;
  const requestContext = {
    settings: args.secret === undefined ? {} : { secretKey: args.secret },
    instanceId: args.instanceId,
    role: args.role,
  };
  return { requestContext, ...request };
}

/**
 * Prints a site secret. The positional "body" is the site name. Binding to a V3 instance id is an
 * explicit flag, so sharing data with a V3 installation is always the operator's written choice.
 */
function issueSecret(args: Args): void {
  const site = args.body === '{}' ? usage('issue-secret needs a site name') : args.body;
  if (args.secret === undefined)
    usage('issue-secret needs the master secret: --secret, WIX_SECRET_KEY, or a local dev secret');
  if (args.bindInstance !== undefined && args.bindInstance.startsWith(LEGACY_TENANT_PREFIX))
    usage(`--bind-instance takes a V3 instance id, not a ${LEGACY_TENANT_PREFIX} tenant`);
  const tenant = args.bindInstance ?? siteTenant(site);
  const secret = issueSiteSecret(args.secret, tenant, args.generation);
  const result = {
    site,
    tenant,
    generation: args.generation,
    secretKey: secret,
    paste: `{"secretKey": "${secret}"}`,
    revoke: `LEGACY_REVOKED_SECRETS=${tenant}@${args.generation}`,
  };
  process.stdout.write(`${JSON.stringify(result, null, args.raw ? 0 : 2)}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.operation === 'issue-secret') return issueSecret(args);
  let request: unknown;
  try {
    request = JSON.parse(args.body);
  } catch {
    usage('the request must be JSON');
  }
  const urlPath = pathFor(args.operation);
  const target = `${args.url.replace(/\/+$/, '')}${urlPath}`;
  let result;
  if (urlPath.startsWith('/v3/') && !urlPath.endsWith('/provision')) {
    let privateKeyPem: string;
    try {
      privateKeyPem = readFileSync(args.keyFile, 'utf8');
    } catch {
      usage(`cannot read the private key ${args.keyFile} (start the local server once, or pass --key)`);
    }
    const jwt = await signV3Request(request, {
      privateKeyPem,
      instanceId: args.instanceId,
      ...(args.appId ? { appId: args.appId } : {}),
      ...(args.identity ? { identity: args.identity } : {}),
    });
    result = await send(target, jwt, 'text/plain');
  } else if (urlPath.startsWith('/v3/')) {
    result = await send(target, JSON.stringify(request), 'application/json');
  } else {
    if (args.secret === undefined) {
      process.stderr.write(
        'no legacy secret key: pass --secret, set WIX_SECRET_KEY, or start the local server once\n',
      );
    }
    result = await send(target, JSON.stringify(withRequestContext(request, args)), 'application/json');
  }
  process.stdout.write(`${JSON.stringify(result.body, null, args.raw ? 0 : 2)}\n`);
  if (result.status >= 400) {
    process.stderr.write(`HTTP ${result.status}\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
