/**
 * The whole adaptor in one stack: table, configuration (parameters and secrets), one function per
 * route of the route table, the HTTP API, and the purge job with its hourly sweep.
 */
import { createHash } from 'node:crypto';
import { ArnFormat, CfnOutput, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROUTES, type RouteDef } from '../lambda/routes';
import { AdaptorApi } from './adaptor-api';
import { AdaptorConfig } from './adaptor-config';
import { AdaptorOps } from './adaptor-ops';
import { AdaptorTable } from './adaptor-table';
import { AttachedTables } from './attached-tables';
import type { AttachEntry } from '../lambda/model/attach';
import { jobEntry, OperationFunction } from './operation-function';
import { opsParameters } from './ops-parameters';

/** Operation name (and `lambda/jobs/` file) of the background job that deletes dropped partitions. */
export const PURGE_OPERATION = 'purge';

/** How often the sweep looks for purges that died and finishes them. */
export const PURGE_SWEEP_INTERVAL = Duration.hours(1);

/** The event the sweep schedule sends to the purge function (see lambda/jobs/purge.ts). */
export const PURGE_SWEEP_EVENT = { sweep: true } as const;

/** Lambda's limit on function names. */
const MAX_FUNCTION_NAME = 64;

/**
 * Physical name of the purge function: `<stackName>-purge`, unique per account and region because
 * the stack name is. A stack name too long for that is shortened and made unique again with a hash
 * of the full name. Deterministic, so the function's own policy can name it without a reference.
 */
export function purgeFunctionName(stackName: string): string {
  if (Token.isUnresolved(stackName)) throw new Error('the stack name must be known at synth time');
  const suffix = `-${PURGE_OPERATION}`;
  const plain = `${stackName}${suffix}`;
  if (plain.length <= MAX_FUNCTION_NAME) return plain;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
  return `${stackName.slice(0, MAX_FUNCTION_NAME - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

export interface AdaptorStackProps extends StackProps {
  /** The table refuses deletes (console, API, CloudFormation) until this is turned off. @default true */
  readonly deletionProtection?: boolean;
  /** Use this existing Secrets Manager secret (complete ARN) as the legacy secret key. */
  readonly secretKeyArn?: string;
  /** Reserved concurrency of each function behind the API. @default - none (the account's pool) */
  readonly reservedConcurrency?: number;
  /** Existing tables served as collections (docs/existing-tables.md). @default none */
  readonly attachTables?: readonly AttachEntry[];
}

export class AdaptorStack extends Stack {
  readonly table: AdaptorTable;
  readonly config: AdaptorConfig;
  readonly api: AdaptorApi;
  /** Existing tables attached as collections, and the grants for them. */
  readonly attached: AttachedTables;
  /** Operation functions by operation name, one per route. */
  readonly functions: ReadonlyMap<string, OperationFunction>;
  /** The purge job (not behind the API). */
  readonly purgeFunction: OperationFunction;
  /** The schedule that runs the purge job's sweep. */
  readonly purgeSweep: events.Rule;
  /** Alarms, dashboard, purge failure destination, tenant insights. */
  readonly ops: AdaptorOps;

  constructor(scope: Construct, id: string, props: AdaptorStackProps = {}) {
    super(scope, id, props);

    this.table = new AdaptorTable(this, 'Items', { deletionProtection: props.deletionProtection ?? true });
    this.config = new AdaptorConfig(
      this,
      'Config',
      props.secretKeyArn ? { secretKeyArn: props.secretKeyArn } : {},
    );
    const opsParams = opsParameters(this);
    this.api = new AdaptorApi(this, 'Api', {
      throttle: {
        rateLimit: opsParams.throttleRate.valueAsNumber,
        burstLimit: opsParams.throttleBurst.valueAsNumber,
      },
    });
    this.attached = new AttachedTables(this, 'Attached', props.attachTables ?? []);

    this.purgeFunction = this.createPurge();
    this.purgeSweep = new events.Rule(this, 'PurgeSweep', {
      description: 'Wix adaptor: finishes purges that never completed',
      schedule: events.Schedule.rate(PURGE_SWEEP_INTERVAL),
      targets: [
        new targets.LambdaFunction(this.purgeFunction.function, {
          event: events.RuleTargetInput.fromObject(PURGE_SWEEP_EVENT),
        }),
      ],
    });

    const functions = new Map<string, OperationFunction>();
    for (const route of ROUTES)
      functions.set(route.operation, this.addRoute(route, props.reservedConcurrency));
    this.functions = functions;

    this.ops = new AdaptorOps(this, 'Ops', {
      parameters: opsParams,
      api: this.api,
      table: this.table.table,
      operations: [...functions.values()],
      purge: this.purgeFunction,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URI to paste into Wix (the adaptor answers under it)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The items table' });
    new CfnOutput(this, 'SecretKeyArn', {
      value: this.config.secretKey.secretArn,
      description: 'Secrets Manager secret holding the secret key for legacy (STANDALONE) Wix connections',
    });
    new CfnOutput(this, 'CursorSecretArn', {
      value: this.config.cursorSecret.secretArn,
      description:
        'Secrets Manager secret holding the HMAC key query cursors are signed with (rotate by hand)',
    });
  }

  /**
   * The purge job (`lambda/jobs/purge.ts`): started asynchronously by `startsPurge` routes with
   * `{purge: job}`, by the sweep schedule with `{sweep: true}`, and by itself to continue a
   * partition too large for one invocation.
   */
  private createPurge(): OperationFunction {
    const functionName = purgeFunctionName(this.stackName);
    const purge = new OperationFunction(this, 'Purge', {
      operation: PURGE_OPERATION,
      entry: jobEntry(PURGE_OPERATION),
      functionName,
      table: this.table.table,
      access: 'write',
      // Its own name, for the continuation (the runtime only invokes Lambda when this is set).
      environment: { ...this.baseEnvironment(), PURGE_FUNCTION_NAME: functionName },
      // Not behind the API: it may use Lambda's full 15 minutes to delete large partitions.
      timeout: Duration.minutes(15),
      description: 'Wix adaptor: deletes the items of truncated or deleted collections',
    });
    // Truncate of a read-write attached table deletes its items in this job.
    this.attached.grant(purge.role, 'write');
    // The ARN built from the known name, not `functionArn`: a reference from the function's own
    // policy to the function would be a dependency cycle (the function waits for its policy).
    purge.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [
          this.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: functionName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    return purge;
  }

  private addRoute(route: RouteDef, reservedConcurrency: number | undefined): OperationFunction {
    const fn = new OperationFunction(this, `Op-${route.operation}`, {
      operation: route.operation,
      table: this.table.table,
      access: route.access,
      environment: this.baseEnvironment(),
      reservedConcurrency,
    });
    this.attached.grant(fn.role, route.access);
    // Each secret is known to, and readable by, only the functions that use it.
    if (route.access === 'read') {
      // Queries sign and verify their paging cursors with it.
      fn.addEnvironment('CURSOR_SECRET_ARN', this.config.cursorSecret.secretArn);
      this.config.cursorSecret.grantRead(fn.function);
    }
    if (route.paths.some((p) => p.protocol === 'legacy')) {
      fn.addEnvironment('WIX_SECRET_KEY_ARN', this.config.secretKey.secretArn);
      this.config.secretKey.grantRead(fn.function);
    }
    if (route.startsPurge) {
      fn.addEnvironment('PURGE_FUNCTION_NAME', this.purgeFunction.function.functionName);
      // Exactly the unqualified function ARN (what an invoke by name uses), not grantInvoke's
      // extra `:*` on every version and alias.
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.purgeFunction.function.functionArn],
        }),
      );
    }
    this.api.addOperation(
      route.operation,
      fn.function,
      route.paths.map((p) => p.path),
    );
    return fn;
  }

  private baseEnvironment(): Record<string, string> {
    return {
      TABLE_NAME: this.table.table.tableName,
      ...this.config.environment,
      ...this.attached.environment,
    };
  }
}
