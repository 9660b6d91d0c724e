/**
 * The whole adaptor in one stack: table, configuration, one function per route of the route table,
 * the HTTP API, and (once its handler exists) the purge job.
 */
import { existsSync } from 'node:fs';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROUTES, type RouteDef } from '../lambda/routes';
import { AdaptorApi } from './adaptor-api';
import { AdaptorConfig } from './adaptor-config';
import { AdaptorTable } from './adaptor-table';
import { handlerEntry, OperationFunction } from './operation-function';

/** Operation name (and handler file) of the background job that deletes dropped partitions. */
export const PURGE_OPERATION = 'purge';

export interface AdaptorStackProps extends StackProps {
  /** Production: the table gets deletion protection. @default false */
  readonly production?: boolean;
  /** Use this existing Secrets Manager secret (complete ARN) as the legacy secret key. */
  readonly secretKeyArn?: string;
  /**
   * Create the purge function and let `startsPurge` routes invoke it.
   * @default - whether `lambda/handlers/purge.ts` exists
   */
  readonly purge?: boolean;
}

export class AdaptorStack extends Stack {
  readonly table: AdaptorTable;
  readonly config: AdaptorConfig;
  readonly api: AdaptorApi;
  /** Operation functions by operation name, one per route. */
  readonly functions: ReadonlyMap<string, OperationFunction>;
  private purge: OperationFunction | undefined;

  constructor(scope: Construct, id: string, props: AdaptorStackProps = {}) {
    super(scope, id, props);

    this.table = new AdaptorTable(this, 'Items', { deletionProtection: props.production ?? false });
    this.config = new AdaptorConfig(
      this,
      'Config',
      props.secretKeyArn ? { secretKeyArn: props.secretKeyArn } : {},
    );
    this.api = new AdaptorApi(this, 'Api');

    const functions = new Map<string, OperationFunction>();
    for (const route of ROUTES) functions.set(route.operation, this.addRoute(route));
    this.functions = functions;

    if (props.purge ?? existsSync(handlerEntry(PURGE_OPERATION))) this.enablePurge();

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URI to paste into Wix (the adaptor answers under it)',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The items table' });
    new CfnOutput(this, 'SecretKeyArn', {
      value: this.config.secretKey.secretArn,
      description: 'Secrets Manager secret holding the secret key for legacy (STANDALONE) Wix connections',
    });
  }

  /**
   * Creates the purge function (`lambda/handlers/purge.ts`) and lets every `startsPurge` route
   * start it asynchronously. Idempotent.
   */
  enablePurge(): OperationFunction {
    if (this.purge) return this.purge;
    const purge = new OperationFunction(this, 'Purge', {
      operation: PURGE_OPERATION,
      table: this.table.table,
      access: 'write',
      environment: this.baseEnvironment(),
      // Not behind the API: it may use Lambda's full 15 minutes to delete large partitions.
      timeout: Duration.minutes(15),
      description: 'Wix adaptor: deletes the items of truncated or deleted collections',
    });
    for (const route of ROUTES.filter((r) => r.startsPurge)) {
      const starter = this.functions.get(route.operation)!;
      starter.addEnvironment('PURGE_FUNCTION_NAME', purge.function.functionName);
      // Exactly the unqualified function ARN (what an invoke by name uses), not grantInvoke's
      // extra `:*` on every version and alias.
      starter.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [purge.function.functionArn],
        }),
      );
    }
    this.purge = purge;
    return purge;
  }

  /** The purge job, once enabled. */
  get purgeFunction(): OperationFunction | undefined {
    return this.purge;
  }

  private addRoute(route: RouteDef): OperationFunction {
    const fn = new OperationFunction(this, `Op-${route.operation}`, {
      operation: route.operation,
      table: this.table.table,
      access: route.access,
      environment: this.baseEnvironment(),
    });
    // Only functions that serve a legacy path may know about, and read, the legacy secret key.
    if (route.paths.some((p) => p.protocol === 'legacy')) {
      fn.addEnvironment('WIX_SECRET_KEY_ARN', this.config.secretKey.secretArn);
      this.config.secretKey.grantRead(fn.function);
    }
    this.api.addOperation(
      route.operation,
      fn.function,
      route.paths.map((p) => p.path),
    );
    return fn;
  }

  private baseEnvironment(): Record<string, string> {
    return { TABLE_NAME: this.table.table.tableName, ...this.config.environment };
  }
}
