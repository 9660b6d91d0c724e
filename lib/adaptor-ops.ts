/**
 * Operations: who is told when something breaks (alarms to an SNS topic), where a failed purge goes
 * (an SQS on-failure destination, with its own alarm), what an operator looks at (the dashboard) and
 * who costs what (Contributor Insights). Everything here reads the stack; nothing changes how a
 * request is served.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AdaptorApi } from './adaptor-api';
import type { OperationFunction } from './operation-function';
import { OpsDashboard } from './ops-dashboard';
import type { OpsParameters } from './ops-parameters';
import { TenantInsights } from './tenant-insights';

/** API 5xx answers, in percent of requests over 5 minutes, above which someone is paged. */
export const API_5XX_PERCENT = 5;
/** Async retries of a failed purge invocation before it goes to the failure queue. */
export const PURGE_RETRY_ATTEMPTS = 2;

/**
 * The DynamoDB operations the adaptor sends (lambda/store/): their throttles and system errors are
 * alarmed. At most 10, the number of metrics one alarm's math expression may use.
 */
export const TABLE_OPERATIONS: readonly Operation[] = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.SCAN,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

export interface AdaptorOpsProps {
  readonly parameters: OpsParameters;
  readonly api: AdaptorApi;
  readonly table: TableV2;
  /** The functions behind the API, one per operation. */
  readonly operations: readonly OperationFunction[];
  readonly purge: OperationFunction;
}

export class AdaptorOps extends Construct {
  readonly topic: sns.Topic;
  readonly purgeFailures: sqs.Queue;
  /** Every alarm, by a stable id (construct id). */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  readonly dashboard: OpsDashboard;
  readonly insights: TenantInsights;

  private readonly alarmAction: actions.SnsAction;
  private readonly alarmMap = new Map<string, cloudwatch.Alarm>();

  constructor(scope: Construct, id: string, props: AdaptorOpsProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: 'Wix adaptor alarms',
      enforceSSL: true,
    });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Only CloudWatch alarm notifications (alarm name, state, metric) are published here, no data. ' +
        'CloudWatch cannot publish to a topic encrypted with the AWS managed key, and a customer managed ' +
        'key would cost more than everything else this stack runs at rest.',
    });
    const subscription = new sns.CfnSubscription(this, 'AlarmEmail', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: props.parameters.alarmEmail.valueAsString,
    });
    subscription.cfnOptions.condition = props.parameters.hasAlarmEmail;
    this.alarmAction = new actions.SnsAction(this.topic);

    this.purgeFailures = this.purgeFailureDestination(props.purge);
    this.apiAlarms(props.api);
    for (const fn of [...props.operations, props.purge]) this.functionAlarms(fn);
    this.tableAlarms(props.table);
    this.alarms = this.alarmMap;

    const routeLogs = props.operations.map((f) => f.logGroup);
    this.insights = new TenantInsights(this, 'TenantInsights', routeLogs);
    this.dashboard = new OpsDashboard(this, 'Dashboard', {
      api: props.api,
      table: props.table,
      functions: [...props.operations, props.purge],
      requestLogs: routeLogs,
      alarms: [...this.alarmMap.values()],
    });
  }

  /**
   * A purge invoked asynchronously that still fails after Lambda's retries would otherwise vanish
   * (the hourly sweep retries it, but nobody would know why it keeps failing). The failed event,
   * with its error, is kept for 14 days in an encrypted queue, and its depth is alarmed.
   */
  private purgeFailureDestination(purge: OperationFunction): sqs.Queue {
    const queue = new sqs.Queue(this, 'PurgeFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the purge function: it only holds failed ' +
        'invocation records for an operator to read; nothing consumes it, so it needs no dead-letter queue.',
    });
    purge.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(queue),
      retryAttempts: PURGE_RETRY_ATTEMPTS,
      maxEventAge: Duration.hours(6),
    });
    this.alarm('PurgeFailed', {
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription:
        'A purge failed after all retries; the failed event and its error are in the PurgeFailures queue.',
    });
    return queue;
  }

  private apiAlarms(api: AdaptorApi): void {
    const period = Duration.minutes(5);
    const rate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: api.httpApi.metricServerError({ period, statistic: 'Sum' }),
        requests: api.httpApi.metricCount({ period, statistic: 'Sum' }),
      },
      label: 'API 5xx (% of requests)',
      period,
    });
    this.alarm('Api5xxRate', {
      metric: rate,
      threshold: API_5XX_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription: `More than ${API_5XX_PERCENT}% of API answers were 5xx in 2 of the last 3 five-minute periods.`,
    });
  }

  private functionAlarms(fn: OperationFunction): void {
    const period = Duration.minutes(5);
    this.alarm(`Errors-${fn.operation}`, {
      metric: fn.function.metricErrors({ period, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `The ${fn.operation} function crashed or timed out (an answered error is not counted).`,
    });
    this.alarm(`Throttles-${fn.operation}`, {
      metric: fn.function.metricThrottles({ period, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Lambda refused to run ${fn.operation}: account or reserved concurrency exhausted.`,
    });
  }

  private tableAlarms(table: TableV2): void {
    const period = Duration.minutes(5);
    const operations = [...TABLE_OPERATIONS];
    this.alarm('TableThrottles', {
      metric: table.metricThrottledRequestsForOperations({ operations, period }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'DynamoDB throttled requests to the items table.',
    });
    this.alarm('TableSystemErrors', {
      metric: table.metricSystemErrorsForOperations({ operations, period }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'DynamoDB answered requests to the items table with internal errors (HTTP 500).',
    });
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'treatMissingData'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      // No data means no requests (or no failures): not a reason to page anyone.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarmMap.set(id, alarm);
    return alarm;
  }
}
