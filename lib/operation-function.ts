/**
 * One Lambda function for one adaptor operation, with every default the stack's functions share.
 * The stack never builds a function any other way, so a default changes in one place only.
 */
import * as path from 'node:path';
import { CfnResource, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Access } from '../lambda/routes';

/** Repository root: entries, package-lock.json and tsconfig.json are resolved from here. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Tag carried by every operation function, so tests and operators can tell them from helpers. */
export const OPERATION_TAG = 'wix-adaptor:operation';

/** The handler file of an operation: `lambda/handlers/<operation>.ts`, exporting `handler`. */
export function handlerEntry(operation: string): string {
  return path.join(PROJECT_ROOT, 'lambda', 'handlers', `${operation}.ts`);
}

/**
 * HTTP API gives up on an integration after 30 s. Ending the function just before that means a slow
 * request stops, and is logged with its request id, instead of running on (and billed) after the
 * caller has already received an error.
 */
export const API_TIMEOUT = Duration.seconds(29);

/** ESM output needs `require` for the CJS-only parts of bundled dependencies. */
const ESM_REQUIRE_BANNER = "import{createRequire}from'module';const require=createRequire(import.meta.url);";

export interface OperationFunctionProps {
  /** Operation name from the route table; also the handler file name. */
  readonly operation: string;
  /** The items table and what this operation may do to it. */
  readonly table: TableV2;
  readonly access: Access;
  /** Environment shared by all functions (table name, keys, tenants, ...). */
  readonly environment: Readonly<Record<string, string>>;
  /** @default API_TIMEOUT, for functions behind the HTTP API */
  readonly timeout?: Duration;
  readonly description?: string;
}

export class OperationFunction extends Construct {
  readonly operation: string;
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OperationFunctionProps) {
    super(scope, id);
    this.operation = props.operation;

    // An explicit log group gives retention without the LogRetention custom resource (and its
    // extra Lambda with a managed policy). Logs are diagnostics, not data: they go with the stack.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of the default one, which would attach the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group): this one may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Wix adaptor operation ${props.operation}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.operation),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description ?? `Wix adaptor: ${props.operation}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // The work is I/O-bound (DynamoDB round trips); 256 MB is plenty and the cheapest that
      // still gives a fast cold start.
      memorySize: 256,
      timeout: props.timeout ?? API_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        keepNames: true,
        sourceMap: false,
        // Bundle the AWS SDK too: the deployed code then runs exactly the SDK versions the tests
        // ran (package-lock.json), not whatever the Lambda runtime happens to ship this month.
        externalModules: [],
        // Local esbuild (a devDependency): synth works on machines without Docker.
        forceDockerBundling: false,
      },
    });
    Tags.of(this.function).add(OPERATION_TAG, props.operation);

    grantTableAccess(props.table, props.access, this.role);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project is built and tested on (DESIGN.md §8); moving to a newer ' +
        'runtime is a deliberate upgrade, not something a synth should do silently.',
    });
  }

  /** Adds an environment variable to this function only. */
  addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }
}

/**
 * Least privilege from the route table: `read` operations get read-only data actions, `write` ones
 * read-write data actions, `none` nothing at all. Never table management (create/delete/update).
 */
function grantTableAccess(table: TableV2, access: Access, role: iam.Role): void {
  if (access === 'none') return;
  if (access === 'read') table.grantReadData(role);
  else table.grantReadWriteData(role);

  // The grants cover `<table>/index/*`: every GSI slot of this one table, which queries must be
  // able to use whichever slot a Wix index was given. Nothing outside this table is matched.
  const tableId = Stack.of(table).getLogicalId(table.node.defaultChild as CfnResource);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
    reason: "Only this table's own GSI slots; any slot can be assigned to a Wix index at run time.",
  });
}
