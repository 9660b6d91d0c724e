/** The purge job: its function, its fixed name, and the hourly sweep that finishes dead purges. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { PURGE_OPERATION, purgeFunctionName } from '../../lib/adaptor-stack';
import { DEFAULT_STACK_NAME } from '../../lib/adaptor-app';
import { handlerEntry, OPERATION_TAG, PROJECT_ROOT } from '../../lib/operation-function';
import { functionsByOperation, synth } from './synth';

const { template, stack } = synth();
const byOp = functionsByOperation(template, OPERATION_TAG);
const purgeId = byOp.get(PURGE_OPERATION)!;
const purgeFn = () => template.findResources('AWS::Lambda::Function')[purgeId]!.Properties;

describe('purge function', () => {
  it('is built from lambda/jobs/purge.ts, not from the route handlers', () => {
    expect(path.relative(PROJECT_ROOT, stack.purgeFunction.entry)).toBe(
      path.join('lambda', 'jobs', 'purge.ts'),
    );
    expect(existsSync(stack.purgeFunction.entry)).toBe(true);
    expect(existsSync(handlerEntry(PURGE_OPERATION))).toBe(false);
  });

  it('has the shared defaults and the full 15 minutes', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith([{ Key: OPERATION_TAG, Value: PURGE_OPERATION }]),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 900,
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: Match.stringLikeRegexp('^ItemsTable') },
        }),
      },
    });
  });

  it('has a fixed name derived from the stack name, and knows it', () => {
    expect(purgeFn().FunctionName).toBe(`${DEFAULT_STACK_NAME}-purge`);
    expect(purgeFn().Environment.Variables.PURGE_FUNCTION_NAME).toBe(purgeFn().FunctionName);
    const staging = synth({ stackName: 'WixStaging' });
    const stagingFns = staging.template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: 'WixStaging-purge' },
    });
    expect(Object.keys(stagingFns)).toHaveLength(1);
  });
});

describe('purgeFunctionName', () => {
  it('keeps short names readable', () => {
    expect(purgeFunctionName('A')).toBe('A-purge');
  });

  it('stays within 64 characters and unique for long stack names', () => {
    const long = (c: string) => `Wix${'x'.repeat(100)}${c}`;
    const a = purgeFunctionName(long('a'));
    const b = purgeFunctionName(long('b'));
    expect(a.length).toBeLessThanOrEqual(64);
    expect(b.length).toBeLessThanOrEqual(64);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9-_]+-purge$/);
    expect(purgeFunctionName('x'.repeat(57))).toBe(`${'x'.repeat(57)}-purge`); // exactly 64
    expect(purgeFunctionName('x'.repeat(58)).length).toBe(64);
  });
});

describe('purge sweep schedule', () => {
  it('is the only rule: every hour, enabled, targeting the purge function with {"sweep": true}', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0]!.Properties;
    expect(rule.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]).toMatchObject({ Arn: { 'Fn::GetAtt': [purgeId, 'Arn'] } });
    expect(JSON.parse(rule.Targets[0].Input)).toEqual({ sweep: true });
  });

  it('may invoke the purge function, from this rule only', () => {
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule'))[0]!;
    const fromEvents = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { Principal: 'events.amazonaws.com' },
      }),
    );
    expect(fromEvents.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [purgeId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      },
    ]);
  });
});
