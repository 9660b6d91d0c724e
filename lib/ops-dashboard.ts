/**
 * The operator's dashboard: requests, latency (p50/p99), errors, and DynamoDB capacity in total and by
 * operation. Capacity by operation comes from the per-request log lines (a Logs Insights widget), since
 * DynamoDB's own metrics only know the table.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AdaptorApi } from './adaptor-api';
import type { OperationFunction } from './operation-function';
import { REQUEST_LOG_KEYS as K } from './tenant-insights';

/** Logs Insights: requests, items read and capacity per operation, most expensive first. */
export const CAPACITY_BY_OPERATION_QUERY = [
  `filter ispresent(${K.itemsRead})`,
  `stats count(*) as requests, sum(${K.readCapacity}) as readCapacity, sum(${K.writeCapacity}) as writeCapacity, sum(${K.itemsRead}) as itemsRead by ${K.operation}`,
  'sort readCapacity desc',
];

export interface OpsDashboardProps {
  readonly api: AdaptorApi;
  readonly table: TableV2;
  readonly functions: readonly OperationFunction[];
  /** Log groups holding the per-request lines. */
  readonly requestLogs: readonly logs.ILogGroup[];
  readonly alarms: readonly cloudwatch.IAlarm[];
}

export class OpsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const http = props.api.httpApi;
    const perFunction = (metric: (fn: OperationFunction) => cloudwatch.IMetric) =>
      props.functions.map(metric);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests',
        left: [
          http.metricCount({ period, statistic: 'Sum', label: 'requests' }),
          http.metricClientError({ period, statistic: 'Sum', label: '4xx' }),
          http.metricServerError({ period, statistic: 'Sum', label: '5xx' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        left: [
          http.metricLatency({ period, statistic: 'p50', label: 'p50' }),
          http.metricLatency({ period, statistic: 'p99', label: 'p99' }),
          http.metricIntegrationLatency({ period, statistic: 'p99', label: 'integration p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors (crashes and timeouts) by operation',
        left: perFunction((fn) =>
          fn.function.metricErrors({ period, statistic: 'Sum', label: fn.operation }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms) by operation',
        left: perFunction((fn) =>
          fn.function.metricDuration({ period, statistic: 'p99', label: fn.operation }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'DynamoDB capacity consumed (table)',
        left: [
          props.table.metricConsumedReadCapacityUnits({ period, statistic: 'Sum', label: 'read units' }),
          props.table.metricConsumedWriteCapacityUnits({ period, statistic: 'Sum', label: 'write units' }),
        ],
        width: 8,
      }),
      new cloudwatch.LogQueryWidget({
        title: 'Requests and capacity by operation',
        logGroupNames: props.requestLogs.map((g) => g.logGroupName),
        queryLines: CAPACITY_BY_OPERATION_QUERY,
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        width: 16,
      }),
    );
  }
}
