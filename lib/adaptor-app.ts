/**
 * What `bin/app.ts` builds, as a function, so the infra tests check exactly the deployed app
 * (stack, context handling and the cdk-nag plugin) rather than a look-alike.
 *
 * Context (cdk.json or `-c key=value`):
 *   deletionProtection  on unless explicitly false/0/no: the table refuses to be deleted
 *   secretKeyArn  complete ARN of an existing secret to use as the legacy secret key
 *   stackName     CloudFormation stack name (default WixDynamoDbAdaptor)
 *   reservedConcurrency  reserved concurrency of each function behind the API (default: none)
 *   attachTables  existing tables to serve as collections: the ATTACH_TABLES JSON (docs/existing-tables.md)
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AdaptorStack } from './adaptor-stack';
import { attachTablesFromContext } from './attached-tables';
import { contextOff, contextPositiveInt, contextString } from './context';

export const DEFAULT_STACK_NAME = 'WixDynamoDbAdaptor';

export interface AdaptorAppOptions {
  /** Run the AWS Solutions checks on synth. @default true */
  readonly nag?: boolean;
}

export function buildAdaptorApp(app: App, options: AdaptorAppOptions = {}): AdaptorStack {
  const stack = new AdaptorStack(app, contextString(app, 'stackName') ?? DEFAULT_STACK_NAME, {
    description: 'Wix external database adaptor (V3 service plugin + legacy SPI) on Lambda and DynamoDB',
    // No `env`: the stack is environment-agnostic (region and account are CloudFormation pseudo
    // parameters), so synth needs no AWS credentials and one template deploys to any region.
    deletionProtection: !contextOff(app, 'deletionProtection'),
    secretKeyArn: contextString(app, 'secretKeyArn'),
    reservedConcurrency: contextPositiveInt(app, 'reservedConcurrency'),
    attachTables: attachTablesFromContext(app),
  });

  // An unacknowledged finding fails the synth. Each acknowledgement sits next to the construct it
  // is about, with its reason.
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
