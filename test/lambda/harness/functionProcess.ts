/**
 * One bundled function in its own fresh Node process, invoked like Lambda's Node runtime does:
 * `await handler(event, context)`, one invocation at a time, with a context whose remaining time
 * counts down from the function's timeout. The process is killed when an invocation outlives it.
 *
 * The runner is a plain .mjs file written beside the bundle (outside the repository), so the child
 * loads nothing but Node's built-ins and the bundle.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BundledFunction } from './synthBundles';

const RUNNER = `
import { pathToFileURL } from 'node:url';
const [entry, exportName, functionName, memory] = process.argv.slice(2);
const started = performance.now();
let mod;
let importError;
try { mod = await import(pathToFileURL(entry).href); } catch (e) { importError = e?.stack ?? String(e); }
const importMs = performance.now() - started;
const end = (id) => new Promise((r) => process.stdout.write('\\u0000END ' + id + '\\n', r));
process.on('message', async ({ id, event, timeoutMs }) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    awsRequestId: id, functionName, functionVersion: '$LATEST', memoryLimitInMB: memory,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + functionName,
    logGroupName: '/aws/lambda/' + functionName, logStreamName: 'local', callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let reply;
  try {
    reply = { id, result: await mod[exportName](event, context) };
  } catch (e) {
    reply = { id, error: { name: e?.name, message: e?.message, stack: e?.stack } };
  }
  await end(id);
  process.send(reply);
});
process.send({ ready: true, importMs, importError });
`;

export interface Invocation<T = unknown> {
  /** The handler's return value (undefined when it threw or timed out). */
  readonly result?: T;
  /** What the handler threw (Lambda reports it as a function error). */
  readonly error?: { name?: string; message?: string; stack?: string };
  readonly timedOut: boolean;
  /** Lines the function wrote to stdout and stderr during this invocation. */
  readonly stdout: string[];
  readonly stderr: string[];
  readonly ms: number;
}

export interface StartOptions {
  readonly env: Record<string, string>;
  /** Node binary to run the bundle with. @default LAMBDA_NODE, else this process's node */
  readonly node?: string;
}

export class FunctionProcess {
  importMs = 0;
  private child!: ChildProcess;
  private out: string[] = [];
  private err: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;

  private constructor(readonly fn: BundledFunction) {}

  /** Starts the process and waits until the bundle is imported (the cold start). */
  static async start(fn: BundledFunction, options: StartOptions): Promise<FunctionProcess> {
    const p = new FunctionProcess(fn);
    await p.spawn(options);
    return p;
  }

  private spawn(options: StartOptions): Promise<void> {
    const runner = path.join(this.fn.dir, '.lambda-runner.mjs');
    writeFileSync(runner, RUNNER);
    this.child = fork(
      runner,
      [
        path.join(this.fn.dir, this.fn.entryFile),
        this.fn.handlerExport,
        this.fn.functionName,
        String(this.fn.memoryMb),
      ],
      {
        cwd: this.fn.dir,
        env: options.env,
        execPath: options.node ?? process.env.LAMBDA_NODE ?? process.execPath,
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    const lines = (sink: () => string[]) => {
      let rest = '';
      return (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop()!;
        sink().push(...parts);
      };
    };
    this.child.stdout!.on(
      'data',
      lines(() => this.out),
    );
    this.child.stderr!.on(
      'data',
      lines(() => this.err),
    );
    return new Promise((resolve, reject) => {
      this.child.once('message', (m: { importMs: number; importError?: string }) => {
        if (m.importError) reject(new Error(`${this.fn.operation}: import failed: ${m.importError}`));
        this.importMs = m.importMs;
        resolve();
      });
      this.child.once('exit', (code) =>
        reject(new Error(`${this.fn.operation} exited (${code}): ${this.err.join('\n')}`)),
      );
    });
  }

  /** Invokes the handler; invocations of one process run one after the other, as on Lambda. */
  invoke<T = unknown>(event: unknown, timeoutMs = this.fn.timeoutSeconds * 1000): Promise<Invocation<T>> {
    const run = this.queue.then(() => this.invokeNow<T>(event, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private invokeNow<T>(event: unknown, timeoutMs: number): Promise<Invocation<T>> {
    const id = `req-${++this.seq}`;
    const started = performance.now();
    this.out = [];
    this.err = [];
    return new Promise((resolve) => {
      let reply: { result?: T; error?: Invocation['error'] } | undefined;
      const finish = (timedOut: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.child.off('message', onMessage);
        resolve({
          ...(reply ?? {}),
          timedOut,
          stdout: this.out.filter((l) => !l.startsWith('\u0000END ')),
          stderr: [...this.err],
          ms: performance.now() - started,
        });
      };
      // The reply comes over IPC, the logs over stdout: wait for both (the END marker closes stdout).
      const done = () => reply && this.out.includes(`\u0000END ${id}`);
      const onMessage = (m: { id?: string }) => {
        if (m.id === id) reply = m as typeof reply;
      };
      const poll = setInterval(() => done() && finish(false), 2);
      const timer = setTimeout(() => {
        // Lambda ends a function at its timeout; so do we (the process is gone afterwards).
        this.child.kill('SIGKILL');
        finish(true);
      }, timeoutMs + 500);
      this.child.on('message', onMessage);
      this.child.send({ id, event, timeoutMs });
    });
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}
