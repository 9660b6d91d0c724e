/**
 * Operations in the stack: alarms to an SNS topic (e-mail only when a parameter is set), the purge's
 * on-failure queue, API throttling, reserved concurrency, source maps, log retention, the dashboard
 * and the tenant Contributor Insights rules.
 */
import { API_5XX_PERCENT, PURGE_RETRY_ATTEMPTS, TABLE_OPERATIONS } from '../../lib/adaptor-ops';
import { PURGE_OPERATION } from '../../lib/adaptor-stack';
import { OPERATION_TAG } from '../../lib/operation-function';
import { CAPACITY_BY_OPERATION_QUERY } from '../../lib/ops-dashboard';
import { DEFAULT_THROTTLE_BURST, DEFAULT_THROTTLE_RATE } from '../../lib/ops-parameters';
import { REQUEST_LOG_KEYS, TENANT_RANKINGS } from '../../lib/tenant-insights';
import { ROUTES } from '../../lambda/routes';
import { build, functionsByOperation, synth } from './synth';

const { template, stack } = synth();
const byOp = functionsByOperation(template, OPERATION_TAG);
type Res = { Type: string; Properties: Record<string, any>; Condition?: string };
const resources = (type: string) => template.findResources(type) as Record<string, Res>;
const topicId = Object.keys(resources('AWS::SNS::Topic'))[0]!;
const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
const alarmNamed = (id: string) => stack.ops.alarms.get(id)!;
const alarmProps = (id: string) => {
  const logicalId = stack.getLogicalId(alarmNamed(id).node.defaultChild as never);
  return resources('AWS::CloudWatch::Alarm')[logicalId]!.Properties;
};

describe('alarm topic', () => {
  it('is the only topic, and enforces TLS', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const policy = Object.values(resources('AWS::SNS::TopicPolicy'))[0]!.Properties;
    expect(policy.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('gets an e-mail subscription from the AlarmEmail parameter, only when it is not empty', () => {
    template.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    const subs = Object.values(resources('AWS::SNS::Subscription'));
    expect(subs).toHaveLength(1);
    expect(subs[0]!.Properties).toEqual({
      TopicArn: { Ref: topicId },
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
    });
    expect(subs[0]!.Condition).toBe('HasAlarmEmail');
    template.hasCondition('HasAlarmEmail', {
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
    });
  });

  it('receives every alarm, in alarm and back to OK', () => {
    expect(alarms.length).toBe(stack.ops.alarms.size);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });
});

describe('alarms', () => {
  it('one for errors and one for throttles of every function, the purge included', () => {
    const operations = [...ROUTES.map((r) => r.operation), PURGE_OPERATION];
    for (const op of operations) {
      for (const [kind, metric] of [
        ['Errors', 'Errors'],
        ['Throttles', 'Throttles'],
      ] as const) {
        const a = alarmProps(`${kind}-${op}`);
        expect(a).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        });
        expect(a.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: byOp.get(op) } }]);
      }
    }
  });

  it('API 5xx as a percentage of requests', () => {
    const a = alarmProps('Api5xxRate');
    expect(a.Threshold).toBe(API_5XX_PERCENT);
    const byId = Object.fromEntries(a.Metrics.map((m: any) => [m.Id, m]));
    expect(byId.errors.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
    expect(byId.requests.MetricStat.Metric).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Count',
    });
    const expr = a.Metrics.find((m: any) => m.Expression);
    expect(expr.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
  });

  it.each([
    ['TableThrottles', 'ThrottledRequests'],
    ['TableSystemErrors', 'SystemErrors'],
  ])('%s sums %s over every operation the adaptor sends (within the 10-metric limit)', (id, metric) => {
    const a = alarmProps(id);
    const stats = a.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.length).toBeLessThanOrEqual(10);
    expect(stats.map((m: any) => m.MetricStat.Metric.MetricName)).toEqual(stats.map(() => metric));
    const ops = stats.map(
      (m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'Operation').Value,
    );
    expect(ops.sort()).toEqual([...TABLE_OPERATIONS].sort());
  });

  it('purge failures: any message on the failure queue', () => {
    const a = alarmProps('PurgeFailed');
    const queueId = Object.keys(resources('AWS::SQS::Queue'))[0];
    expect(a).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
  });
});

describe('purge on-failure destination', () => {
  const queues = resources('AWS::SQS::Queue');
  const [queueId, queue] = Object.entries(queues)[0]!;

  it('is one encrypted queue that refuses plain HTTP', () => {
    expect(Object.keys(queues)).toHaveLength(1);
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const policy = Object.values(resources('AWS::SQS::QueuePolicy'))[0]!.Properties;
    expect(policy.Queues).toEqual([{ Ref: queueId }]);
    expect(policy.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('receives the purge function’s failed async invocations, after its retries', () => {
    const configs = Object.values(resources('AWS::Lambda::EventInvokeConfig')).map((c) => c.Properties);
    expect(configs).toEqual([
      {
        FunctionName: { Ref: byOp.get(PURGE_OPERATION) },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: PURGE_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      },
    ]);
  });
});

describe('API stage throttling', () => {
  it('comes from two Number parameters with safe defaults', () => {
    template.hasParameter('ApiThrottleRate', { Type: 'Number', Default: DEFAULT_THROTTLE_RATE, MinValue: 1 });
    template.hasParameter('ApiThrottleBurst', {
      Type: 'Number',
      Default: DEFAULT_THROTTLE_BURST,
      MinValue: 1,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: { Ref: 'ApiThrottleRate' },
        ThrottlingBurstLimit: { Ref: 'ApiThrottleBurst' },
      },
    });
  });
});

describe('functions', () => {
  const fns = resources('AWS::Lambda::Function');

  it('load source maps (NODE_OPTIONS), and no function has reserved concurrency by default', () => {
    for (const id of byOp.values()) {
      expect(fns[id]!.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(fns[id]!.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it.each([
    ['a number from cdk.json', 20],
    ['a string from -c', '20'],
  ])(
    'with reservedConcurrency as %s, each function behind the API reserves it, the purge does not',
    (_n, value) => {
      const t = synth({ reservedConcurrency: value }).template;
      const ids = functionsByOperation(t, OPERATION_TAG);
      const all = t.findResources('AWS::Lambda::Function') as Record<string, Res>;
      for (const [op, id] of ids) {
        expect([op, all[id]!.Properties.ReservedConcurrentExecutions]).toEqual([
          op,
          op === PURGE_OPERATION ? undefined : 20,
        ]);
      }
    },
  );

  it.each([['0'], ['-1'], ['ten'], [2.5]])('rejects reservedConcurrency %p', (value) => {
    expect(() => build({ reservedConcurrency: value })).toThrow(
      /reservedConcurrency must be a positive integer/,
    );
  });

  it('every log group has a retention', () => {
    const groups = Object.values(resources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(byOp.size);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });
});

describe('dashboard', () => {
  const dashboards = Object.values(resources('AWS::CloudWatch::Dashboard'));
  // The body is JSON with tokens spliced in (Fn::Join): put a placeholder where each token goes.
  const parts: unknown[] = dashboards[0]!.Properties.DashboardBody['Fn::Join'][1];
  const widgets: Array<{ type: string; properties: Record<string, any> }> = JSON.parse(
    parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''),
  ).widgets;
  const widget = (title: string) => widgets.find((w) => w.properties.title === title)!.properties;
  /** [namespace, metric name, stat] of each metric line of a graph. */
  const lines = (title: string) =>
    widget(title).metrics.map((m: any[]) => [m[0], m[1], (m[m.length - 1] as { stat: string }).stat]);

  it('is one dashboard named after the stack', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe(`${stack.stackName}-operations`);
  });

  it.each([
    [
      'Requests',
      [
        ['AWS/ApiGateway', 'Count', 'Sum'],
        ['AWS/ApiGateway', '4xx', 'Sum'],
        ['AWS/ApiGateway', '5xx', 'Sum'],
      ],
    ],
    [
      'API latency (ms)',
      [
        ['AWS/ApiGateway', 'Latency', 'p50'],
        ['AWS/ApiGateway', 'Latency', 'p99'],
        ['AWS/ApiGateway', 'IntegrationLatency', 'p99'],
      ],
    ],
    [
      'DynamoDB capacity consumed (table)',
      [
        ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'Sum'],
        ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'Sum'],
      ],
    ],
  ])('graphs %s', (title, expected) => {
    expect(lines(title)).toEqual(expected);
  });

  it.each([
    ['Function errors (crashes and timeouts) by operation', 'Errors', 'Sum'],
    ['Function duration p99 (ms) by operation', 'Duration', 'p99'],
  ])('graphs %s, one line per function', (title, metric, stat) => {
    expect(lines(title)).toEqual([...byOp.keys()].map(() => ['AWS/Lambda', metric, stat]));
  });

  it('shows capacity by operation from the request log lines of every route function', () => {
    const log = widgets.find((w) => w.type === 'log')!.properties;
    expect(log.query).toContain(CAPACITY_BY_OPERATION_QUERY.join('\n| '));
    expect(log.query.match(/SOURCE 'TOKEN'/g)).toHaveLength(ROUTES.length);
  });

  it('shows the state of every alarm', () => {
    expect(widgets.find((w) => w.type === 'alarm')!.properties.alarms).toHaveLength(stack.ops.alarms.size);
  });
});

describe('tenant Contributor Insights rules', () => {
  const rules = Object.values(resources('AWS::CloudWatch::InsightRule')).map((r) => r.Properties);
  const routeLogGroups = ROUTES.map((r) => {
    const fn = stack.functions.get(r.operation)!;
    return { Ref: stack.getLogicalId(fn.logGroup.node.defaultChild as never) };
  });

  it('one per ranking, enabled, named after the stack', () => {
    expect(rules.map((r) => r.RuleName).sort()).toEqual(
      TENANT_RANKINGS.map((k) => `${stack.stackName}-${k.nameSuffix}`).sort(),
    );
    for (const r of rules) expect(r.RuleState).toBe('ENABLED');
  });

  it.each(TENANT_RANKINGS.map((k) => [k.id, k] as const))(
    '%s reads the agreed JSON keys of the request lines of every route function',
    (_id, ranking) => {
      const rule = rules.find((r) => r.RuleName === `${stack.stackName}-${ranking.nameSuffix}`)!;
      // toJsonString renders the log group names (tokens) as refs inside a Fn::Join.
      const parts: unknown[] = rule.RuleBody['Fn::Join'][1];
      expect(parts.filter((p) => typeof p !== 'string')).toEqual(routeLogGroups);
      const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'LOG_GROUP')).join(''));
      expect(body.Schema).toEqual({ Name: 'CloudWatchLogRule', Version: 1 });
      expect(body.LogFormat).toBe('JSON');
      expect(body.LogGroupNames).toEqual(routeLogGroups.map(() => 'LOG_GROUP'));
      expect(body.Contribution.Keys).toEqual([
        `$.${REQUEST_LOG_KEYS.tenant}`,
        `$.${REQUEST_LOG_KEYS.operation}`,
      ]);
      expect(body.Contribution.Filters).toEqual([
        { Match: '$.tenant', IsPresent: true },
        { Match: '$.itemsRead', IsPresent: true },
      ]);
      if (ranking.sumOf) {
        expect(body.AggregateOn).toBe('Sum');
        expect(body.Contribution.ValueOf).toBe(`$.${ranking.sumOf}`);
      } else {
        expect(body.AggregateOn).toBe('Count');
        expect(body.Contribution.ValueOf).toBeUndefined();
      }
    },
  );
});
