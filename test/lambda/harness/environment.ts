/**
 * The environment Lambda would give a function: its template variables with every reference
 * resolved to a local stand-in, plus the variables the Lambda runtime itself sets. Nothing is taken
 * from the test process's own environment.
 */
import type { BundledFunction, SynthResult } from './synthBundles';

export interface LocalAws {
  /** DynamoDB Local endpoint and the table the tests use. */
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly secretsManagerEndpoint: string;
  readonly lambdaEndpoint: string;
  /** Values of stack parameters (localParameters); the others take the template's defaults. */
  readonly parameters: Readonly<Record<string, string>>;
}

export const REGION = 'us-east-1';

/** The ARN the stand-in serves for a secret resource of the template. */
export function secretArn(logicalId: string): string {
  return `arn:aws:secretsmanager:${REGION}:000000000000:secret:${logicalId}`;
}

/**
 * What a local run (the bundle tests, `npm run bench -- bundles`) gives the stack parameters that
 * have no default: the public key of `publicKeyPem` (base64, as docs/deploy.md passes it) and an
 * app id that accepts the tokens a test signs. `overrides` sets any other parameter.
 */
export function localParameters(
  publicKeyPem: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { WixPublicKey: Buffer.from(publicKeyPem).toString('base64'), WixAppId: '*', ...overrides };
}

/**
 * A value for every parameter of the template: the given one, else the template's default. A
 * parameter with neither, or a given name the template does not have, is an error here rather than
 * a function that starts with an unresolved variable: a parameter added to lib/ is picked up (or
 * named) without touching the bench or the tests.
 */
export function stackParameters(
  synth: Pick<SynthResult, 'parameters'>,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(synth.parameters, name));
  if (unknown.length > 0) throw new Error(`the template has no parameter ${unknown.join(', ')}`);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, p] of Object.entries(synth.parameters)) {
    if (Object.hasOwn(given, name)) values[name] = given[name]!;
    else if (p.Default !== undefined) values[name] = String(p.Default);
    else missing.push(name);
  }
  if (missing.length > 0)
    throw new Error(`stack parameters without a default need a value for a local run: ${missing.join(', ')}`);
  return values;
}

function resolve(
  value: unknown,
  name: string,
  synth: SynthResult,
  parameters: Readonly<Record<string, string>>,
  aws: LocalAws,
): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) {
    if (Object.hasOwn(parameters, ref)) return parameters[ref]!;
    const res = synth.resources[ref];
    if (res?.Type === 'AWS::DynamoDB::GlobalTable') return aws.tableName;
    if (res?.Type === 'AWS::SecretsManager::Secret') return secretArn(ref);
    if (res?.Type === 'AWS::Lambda::Function') return (res.Properties?.FunctionName as string) ?? ref;
  }
  // A new kind of reference must be taught here, not silently passed as garbage.
  throw new Error(`cannot resolve ${name}=${JSON.stringify(value)} for a local run`);
}

export function lambdaEnvironment(
  fn: BundledFunction,
  synth: SynthResult,
  aws: LocalAws,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const parameters = stackParameters(synth, aws.parameters);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(fn.environment)) env[k] = resolve(v, k, synth, parameters, aws);
  return {
    ...env,
    // What the Lambda runtime sets.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    // Set by Lambda for an environment started on demand; Powertools counts a ColdStart only then.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: fn.dir,
    TZ: ':UTC',
    AWS_ACCESS_KEY_ID: 'ASIALOCAL',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    // The SDK's documented endpoint overrides: the code path is the one AWS runs (no DYNAMODB_ENDPOINT).
    AWS_ENDPOINT_URL_DYNAMODB: aws.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.secretsManagerEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: aws.lambdaEndpoint,
    // Only for Node 20 on this machine (Lambda runs 22): the SDK's one-per-process deprecation notice.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...overrides,
  };
}
