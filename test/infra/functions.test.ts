/** One Lambda per route of the route table, each with the shared defaults, behind its exact paths. */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../lambda/routes';
import { handlerEntry, OPERATION_TAG, PROJECT_ROOT } from '../../lib/operation-function';
import { PURGE_OPERATION } from '../../lib/adaptor-stack';
import { functionsByOperation, synth } from './synth';

const { template, stack } = synth();
const byOp = functionsByOperation(template, OPERATION_TAG);
const routeFunctions = [...byOp].filter(([op]) => op !== PURGE_OPERATION);

describe('operation functions', () => {
  it('creates exactly one function per route, and the purge function', () => {
    expect(routeFunctions.map(([op]) => op).sort()).toEqual(ROUTES.map((r) => r.operation).sort());
    expect(byOp.has(PURGE_OPERATION)).toBe(true);
    expect(byOp.size).toBe(ROUTES.length + 1);
  });

  it('finds only route handlers in lambda/handlers (jobs live in lambda/jobs)', () => {
    const files = readdirSync(path.join(PROJECT_ROOT, 'lambda', 'handlers')).filter((f) => f.endsWith('.ts'));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(ROUTES.map((r) => r.operation).sort());
  });

  it('builds every function from an existing lambda/handlers/<operation>.ts', () => {
    for (const route of ROUTES) {
      const entry = handlerEntry(route.operation);
      expect(path.relative(PROJECT_ROOT, entry)).toBe(
        path.join('lambda', 'handlers', `${route.operation}.ts`),
      );
      expect(existsSync(entry)).toBe(true);
      expect(stack.functions.get(route.operation)?.operation).toBe(route.operation);
    }
  });

  it.each(ROUTES.map((r) => r.operation))('%s: Node.js 22 on ARM64, 256 MB, under the API timeout', (op) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith([{ Key: OPERATION_TAG, Value: op }]),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 29,
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: Match.stringLikeRegexp('^ItemsTable') },
          WIX_PUBLIC_KEY: { Ref: 'WixPublicKey' },
          WIX_APP_ID: { Ref: 'WixAppId' },
          ALLOWED_TENANTS: { Ref: 'AllowedTenants' },
        }),
      },
    });
  });

  it('gives every function its own log group with one month retention', () => {
    for (const [, id] of byOp) {
      const fn = template.findResources('AWS::Lambda::Function')[id]!;
      const logGroupId: string = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual({
        RetentionInDays: 30,
      });
    }
  });

  it('uses no managed policies and no log-retention helper functions', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    template.resourceCountIs('Custom::LogRetention', 0);
    template.resourceCountIs('AWS::Lambda::Function', byOp.size);
  });
});

describe('HTTP API', () => {
  const routes = template.findResources('AWS::ApiGatewayV2::Route');
  const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
  const permissions = template.findResources('AWS::Lambda::Permission', {
    Properties: { Principal: 'apigateway.amazonaws.com' },
  });
  const paths = ROUTES.flatMap((r) => r.paths.map((p) => ({ operation: r.operation, path: p.path })));

  it('has exactly one POST route per path of the route table', () => {
    const keys = Object.values(routes).map((r) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual(paths.map((p) => `POST ${p.path}`).sort());
  });

  it.each(paths)('POST $path invokes the $operation function', ({ operation, path }) => {
    const route = Object.values(routes).find((r) => r.Properties.RouteKey === `POST ${path}`)!;
    const integrationId: string = route.Properties.Target['Fn::Join'][1][1].Ref;
    const integration = integrations[integrationId]!.Properties;
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(integration.IntegrationUri).toEqual({ 'Fn::GetAtt': [byOp.get(operation), 'Arn'] });
  });

  it('lets API Gateway invoke each function only through its own paths', () => {
    for (const { operation, path } of paths) {
      const match = Object.values(permissions).filter(
        (p) =>
          p.Properties.FunctionName['Fn::GetAtt'][0] === byOp.get(operation) &&
          JSON.stringify(p.Properties.SourceArn).endsWith(`/*/*${path}"]]}`),
      );
      expect(match).toHaveLength(1);
    }
    expect(Object.keys(permissions)).toHaveLength(paths.length);
  });

  it('lets nothing but API Gateway invoke a route function', () => {
    const purgeId = byOp.get(PURGE_OPERATION);
    for (const p of Object.values(template.findResources('AWS::Lambda::Permission'))) {
      if (p.Properties.Principal === 'apigateway.amazonaws.com') continue;
      expect(p.Properties.FunctionName).toEqual({ 'Fn::GetAtt': [purgeId, 'Arn'] });
    }
  });

  it('serves on the $default stage with access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });
});
