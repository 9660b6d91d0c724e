/**
 * Local mode: `npm start`. Serves the adaptor on HOST:PORT with the very handlers the Lambdas run.
 * Unless DYNAMODB_ENDPOINT is set, starts an embedded DynamoDB Local keeping its data under DATA_DIR,
 * so data survives a restart. Unless WIX_PUBLIC_KEY is set, creates a development key pair under
 * DATA_DIR and prints how to call the adaptor. Ctrl-C stops everything.
 */
// first: local defaults the lambda/ modules read when they load (metrics off, no SDK notice)
import './local/localEnv';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, setConfig } from '../lambda/config';
import { buildDeps, setDeps, type Deps } from '../lambda/runtime';
import { ensureTable } from '../lambda/store/admin';
import { pendingBuilds } from '../lambda/store/indexBuild';
import { pendingPurges } from '../lambda/store/purge';
import { ensureDevKeys, LOCAL_DEV_APP_ID } from './local/devKeys';
import { startDynamoLocal, type DynamoLocal } from './local/dynamodbLocal';
import { createLocalServer } from './local/httpServer';

async function main(): Promise<void> {
  const env = { ...process.env };
  const host = env.HOST || '127.0.0.1';
  const port = Number(env.PORT || 8080);
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  mkdirSync(dataDir, { recursive: true });

  let dynamo: DynamoLocal | undefined;
  let server: ReturnType<typeof createLocalServer> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections?.();
    await dynamo?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    if (!env.DYNAMODB_ENDPOINT) {
      const dbDir = path.join(dataDir, 'dynamodb');
      mkdirSync(dbDir, { recursive: true });
      dynamo = await startDynamoLocal({ dataDir: dbDir });
      env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    }
    const local = ensureDevKeys(dataDir);
    const devKeys = env.WIX_PUBLIC_KEY ? undefined : local;
    if (devKeys) {
      env.WIX_PUBLIC_KEY = devKeys.publicKeyPem;
      env.WIX_APP_ID ||= LOCAL_DEV_APP_ID;
      env.WIX_SECRET_KEY ||= devKeys.secretKey;
    }
    env.CURSOR_SECRET ||= local.cursorSecret;
    env.AWS_REGION ||= 'local';
    const config = loadConfig(env);
    setConfig(config);
    const deps: Deps = buildDeps(config);
    setDeps(deps);
    const created = await ensureTable(deps.db);
    // Purges a previous run did not finish (truncate/delete are O(1); their purge runs in the background).
    for (const job of await pendingPurges(deps.db, 0, deps.now())) await deps.purger.schedule(job);
    // Index builds a previous run did not finish.
    for (const job of await pendingBuilds(deps.db, 0, deps.now())) await deps.indexBuilder.schedule(job);

    server = createLocalServer(() => deps);
    server.requestTimeout = 120_000;
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, host, () => resolve());
    });
    const url = `http://${host}:${port}`;
    const lines = [
      `Wix DynamoDB adaptor listening on ${url}`,
      `  DynamoDB: ${dynamo ? `embedded DynamoDB Local, data in ${path.join(dataDir, 'dynamodb')}` : config.dynamodbEndpoint}`,
      `  table ${config.tableName}${created ? ' (created)' : ''}`,
      `  health: curl ${url}/health`,
    ];
    if (devKeys) {
      lines.push(
        `  development key pair in ${path.dirname(devKeys.privateKeyPath)} (Wix would sign with its own key)`,
        `  try:   npm run wix -- collections/create '{"collection":{"id":"cities","fields":[{"key":"name","type":"TEXT"}]}}'`,
        `         npm run wix -- collections/get '{"collectionIds":[]}'`,
        `  app id ${config.wixAppId ?? '* (any)'} (the CLI signs with it)`,
        `  legacy: npm run wix -- schemas/list   (secret key ${process.env.WIX_SECRET_KEY ? 'from WIX_SECRET_KEY' : `in ${devKeys.secretKeyPath}`}, tenant ${config.legacyMasterTenant ?? 'none'})`,
        `          npm run wix -- issue-secret my-site   (a secret for one more legacy site)`,
      );
    } else {
      lines.push('  V3 requests are verified with WIX_PUBLIC_KEY');
    }
    lines.push('Press Ctrl-C to stop.');
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (err) {
    process.stderr.write(`start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop(1);
  }
}

void main();
