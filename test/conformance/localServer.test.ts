/**
 * Black-box: starts `npm start`'s entry point as a real process with its own embedded DynamoDB Local,
 * drives it with the CLI (which signs like Wix), restarts it to check persistence, and kills it to
 * check that no Java process outlives it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../bin/local/dynamodbLocal';

const ROOT = path.resolve(__dirname, '../..');
// Every CLI call starts a TypeScript process: on a busy 2-core machine the whole story takes minutes.
jest.setTimeout(420_000);

let dataDir: string;
let port: number;

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
  delete e.DYNAMODB_ENDPOINT;
  delete e.WIX_PUBLIC_KEY;
  delete e.TABLE_NAME;
  return e;
}

async function startServer(): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/server.ts'], {
    cwd: ROOT,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('listening on')) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, output: () => out };
}

function cli(...args: string[]): any {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bin/wix.ts', ...args, '--raw'], {
    cwd: ROOT,
    env: env(),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

/** A CLI call the adaptor refuses: the CLI exits 1 after printing the answer and `HTTP <status>`. */
function cliRefused(...args: string[]): string {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'bin/wix.ts', ...args, '--raw'], {
      cwd: ROOT,
      env: env(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

function javaPidsFor(dir: string): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((l) => /\bjava\b/.test(l) && l.includes(dir) && !l.includes('bash -c'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'wix-adaptor-'));
  port = await freePort();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('local server (npm start)', () => {
  it('serves health, round-trips a collection through the CLI, persists across restarts, leaves no Java behind', async () => {
    const first = await startServer();
    expect(first.output()).toContain('npm run wix --');

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"status":"ok"}');

    const fields = [
      { key: 'title', type: 'TEXT' },
      { key: 'price', type: 'NUMBER' },
      { key: 'when', type: 'DATETIME' },
      { key: 'tags', type: 'ARRAY_STRING' },
      { key: 'home', type: 'ADDRESS' },
      { key: 'poi', type: 'MULTI_REFERENCE', multiReferenceOptions: { referencedCollectionId: 'poi' } },
    ];
    const created = cli('collections/create', JSON.stringify({ collection: { id: 'cities', fields } }));
    expect(created.collection.id).toBe('cities');
    expect(cli('collections/get', '{"collectionIds":["cities"]}').collections).toEqual([created.collection]);
    // another tenant sees nothing
    expect(cli('collections/get', '{}', '--instance', 'someone-else').collections).toEqual([]);
    // the local server requires the development app id as audience; the CLI signs with it by default
    expect(cliRefused('collections/get', '{}', '--app-id', 'another-app')).toContain('HTTP 401');

    // legacy out of the box: the dev master secret opens its own legacy tenant, not the V3 one
    cli('schemas/create', '{"collectionName":"cars"}');
    const legacyNames = cli('schemas/list').schemas.map((c: { id: string }) => c.id);
    expect(legacyNames).toEqual(['cars']);
    expect(cliRefused('data/insert', '{"collectionName":"cars","item":{}}', '--role', 'VISITOR')).toContain(
      'HTTP 403',
    );
    // a site secret issued by the CLI opens its own site only
    const issued = cli('issue-secret', 'bakery');
    expect(issued.tenant).toBe('legacy/bakery');
    expect(cli('schemas/list', '{}', '--secret', issued.secretKey).schemas).toEqual([]);
    expect(cliRefused('schemas/list', '{}', '--secret', `${issued.secretKey}x`)).toContain('HTTP 401');

    // items and references across two collections
    cli(
      'collections/create',
      JSON.stringify({ collection: { id: 'poi', fields: [{ key: 'title', type: 'TEXT' }] } }),
    );
    cli(
      'items/insert',
      JSON.stringify({ collectionId: 'cities', items: [{ _id: 'paris', title: 'Paris', price: 0 }] }),
    );
    cli(
      'items/insert',
      JSON.stringify({ collectionId: 'poi', items: [{ _id: 'eiffel', title: 'Eiffel Tower' }] }),
    );
    const linked = cli(
      'items/insert-references',
      JSON.stringify({
        collectionId: 'cities',
        referringFieldKey: 'poi',
        references: [{ referringItemId: 'paris', referencedItemId: 'eiffel' }],
      }),
    );
    expect(linked.results).toEqual([{ reference: { referringItemId: 'paris', referencedItemId: 'eiffel' } }]);
    const referenced = JSON.stringify({
      collectionId: 'cities',
      referringFieldKey: 'poi',
      includeReferencedItems: true,
    });
    const before = cli('items/query-referenced', referenced);
    expect(before.items[0].referencedItem.title).toBe('Eiffel Tower');

    const javaPids = javaPidsFor(dataDir);
    expect(javaPids).toHaveLength(1);

    // SIGTERM (what Ctrl-C / a supervisor sends): everything stops
    first.proc.kill('SIGTERM');
    expect(await waitFor(() => first.proc.exitCode !== null, 20_000)).toBe(true);
    expect(await waitFor(() => !alive(javaPids[0]!), 20_000)).toBe(true);

    // restart: the data is still there
    const second = await startServer();
    const afterRestart = cli('collections/get', '{}').collections.map((c: { id: string }) => c.id);
    expect(afterRestart.sort()).toEqual(['cities', 'poi']);
    expect(cli('items/query-referenced', referenced)).toEqual(before);
    expect(cli('items/query', JSON.stringify({ collectionId: 'cities', query: {} })).items[0]).toMatchObject({
      _id: 'paris',
      price: 0,
    });
    const javaAgain = javaPidsFor(dataDir);
    expect(javaAgain).toHaveLength(1);

    // even SIGKILL of the server (no chance to clean up) does not orphan Java
    second.proc.kill('SIGKILL');
    expect(await waitFor(() => !alive(javaAgain[0]!), 20_000)).toBe(true);
  });
});
