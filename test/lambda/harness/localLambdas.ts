/**
 * The synthesized functions, runnable locally: each operation in its own process (started on first
 * use and kept warm, like a Lambda execution environment), the Secrets Manager and Lambda stand-ins
 * serving them, and DynamoDB Local behind them.
 */
import { randomBytes } from 'node:crypto';
import { lambdaEnvironment, secretArn, type LocalAws } from './environment';
import { httpEvent, jsonOf, type HttpResult } from './events';
import { FunctionProcess, type Invocation } from './functionProcess';
import { LambdaStandIn, SecretsManagerStandIn } from './standins';
import type { SynthResult } from './synthBundles';

export interface HttpCall {
  readonly status: number;
  readonly body: any;
  readonly invocation: Invocation<HttpResult>;
}

export class LocalLambdas {
  readonly secretsManager = new SecretsManagerStandIn();
  readonly lambda = new LambdaStandIn((name, event) => this.runByName(name, event));
  /** Secret values by the template's logical id of the secret. */
  readonly secretValues = new Map<string, string>();
  private readonly warm = new Map<string, Promise<FunctionProcess>>();
  private readonly started: FunctionProcess[] = [];
  private aws!: LocalAws;

  constructor(
    readonly synth: SynthResult,
    private readonly local: Omit<LocalAws, 'secretsManagerEndpoint' | 'lambdaEndpoint'>,
    /** Extra environment per operation, for every process of it (a test's settings). */
    private readonly envByOperation: Readonly<Record<string, Record<string, string>>> = {},
  ) {}

  async start(): Promise<this> {
    await Promise.all([this.secretsManager.start(), this.lambda.start()]);
    this.aws = {
      ...this.local,
      secretsManagerEndpoint: this.secretsManager.endpoint,
      lambdaEndpoint: this.lambda.endpoint,
    };
    // Every secret of the template gets a random value, as Secrets Manager would generate.
    for (const [id, res] of Object.entries(this.synth.resources)) {
      if (res.Type !== 'AWS::SecretsManager::Secret') continue;
      const value = randomBytes(24).toString('base64url');
      this.secretValues.set(id, value);
      this.secretsManager.secrets.set(secretArn(id), value);
    }
    return this;
  }

  /** The secret a function reads through an environment variable (`WIX_SECRET_KEY_ARN`, ...). */
  secretOf(operation: string, variable: string): { arn: string; value: string } {
    const ref = (this.fn(operation).environment[variable] as { Ref: string }).Ref;
    return { arn: secretArn(ref), value: this.secretValues.get(ref)! };
  }

  /** The warm process of an operation (cold-started on first use). */
  get(operation: string): Promise<FunctionProcess> {
    let p = this.warm.get(operation);
    if (!p) {
      p = this.fresh(operation);
      this.warm.set(operation, p);
    }
    return p;
  }

  /** A new process (a cold start), with extra environment if given; not shared. */
  async fresh(operation: string, env: Record<string, string> = {}): Promise<FunctionProcess> {
    const fn = this.fn(operation);
    const p = await FunctionProcess.start(fn, {
      env: lambdaEnvironment(fn, this.synth, this.aws, { ...this.envByOperation[operation], ...env }),
    });
    this.started.push(p);
    return p;
  }

  /** POSTs `body` to `path` through the operation's function, as API Gateway would. */
  async http(
    operation: string,
    path: string,
    body: string,
    options: { base64?: boolean; process?: FunctionProcess; timeoutMs?: number } = {},
  ): Promise<HttpCall> {
    const p = options.process ?? (await this.get(operation));
    const invocation = await p.invoke<HttpResult>(httpEvent(path, body, options), options.timeoutMs);
    if (!invocation.result) {
      throw new Error(`${operation} ${path}: ${JSON.stringify(invocation.error ?? 'timed out')}`);
    }
    return { status: invocation.result.statusCode, body: jsonOf(invocation.result), invocation };
  }

  /** Like `http`, but returns the invocation even when the function gave no answer (timeout, throw). */
  async invoke(
    operation: string,
    path: string,
    body: string,
    options: { process?: FunctionProcess; timeoutMs?: number } = {},
  ): Promise<Invocation<HttpResult>> {
    const p = options.process ?? (await this.get(operation));
    return p.invoke<HttpResult>(httpEvent(path, body), options.timeoutMs);
  }

  stop(): Promise<void[]> {
    for (const p of this.started) p.stop();
    return Promise.all([this.secretsManager.stop(), this.lambda.stop()]);
  }

  private fn(operation: string) {
    const fn = this.synth.functions.get(operation);
    if (!fn) throw new Error(`no function for ${operation}`);
    return fn;
  }

  private async runByName(functionName: string, event: unknown): Promise<Invocation> {
    const fn = [...this.synth.functions.values()].find((f) => f.functionName === functionName);
    if (!fn) throw new Error(`invoke of unknown function ${functionName}`);
    return (await this.get(fn.operation)).invoke(event);
  }
}
