/**
 * Who costs what: CloudWatch Contributor Insights rules over the functions' request log lines, ranking
 * tenants by the capacity they consume and by how many requests they send.
 *
 * Every request ends with one structured log line carrying (at least) the JSON keys below; the names
 * are agreed with the logging code and must not drift. Only that line has `itemsRead`, so the rules
 * filter on it and never count an error or debug line as a request.
 */
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** JSON keys of the per-request log line. */
export const REQUEST_LOG_KEYS = {
  tenant: 'tenant',
  operation: 'operation',
  itemsRead: 'itemsRead',
  readCapacity: 'readCapacity',
  writeCapacity: 'writeCapacity',
} as const;

/** One ranking: its rule name suffix and what it adds up per tenant (a field's sum, or a count). */
export interface TenantRanking {
  readonly id: string;
  readonly nameSuffix: string;
  /** Sum of this key per tenant; undefined means count the request lines. */
  readonly sumOf?: string;
}

export const TENANT_RANKINGS: readonly TenantRanking[] = [
  { id: 'TopTenantsByRequests', nameSuffix: 'top-tenants-by-requests' },
  { id: 'TopTenantsByReadCapacity', nameSuffix: 'top-tenants-by-read-capacity', sumOf: 'readCapacity' },
  { id: 'TopTenantsByWriteCapacity', nameSuffix: 'top-tenants-by-write-capacity', sumOf: 'writeCapacity' },
];

const json = (key: string) => `$.${key}`;

/** The Contributor Insights rule body (CloudWatchLogRule schema) for one ranking. */
export function tenantRuleBody(ranking: TenantRanking, logGroupNames: readonly string[]): object {
  return {
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: logGroupNames,
    LogFormat: 'JSON',
    Contribution: {
      // Tenant and operation: the top entries name the tenant and what it does that costs.
      Keys: [json(REQUEST_LOG_KEYS.tenant), json(REQUEST_LOG_KEYS.operation)],
      ...(ranking.sumOf ? { ValueOf: json(ranking.sumOf) } : {}),
      Filters: [
        { Match: json(REQUEST_LOG_KEYS.tenant), IsPresent: true },
        { Match: json(REQUEST_LOG_KEYS.itemsRead), IsPresent: true },
      ],
    },
    AggregateOn: ranking.sumOf ? 'Sum' : 'Count',
  };
}

export class TenantInsights extends Construct {
  /** The rules, by ranking id; their names are what the console and docs/operations.md refer to. */
  readonly rules: ReadonlyMap<string, cloudwatch.CfnInsightRule>;

  constructor(scope: Construct, id: string, logGroups: readonly logs.ILogGroup[]) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = logGroups.map((g) => g.logGroupName);
    const rules = new Map<string, cloudwatch.CfnInsightRule>();
    for (const ranking of TENANT_RANKINGS) {
      rules.set(
        ranking.id,
        new cloudwatch.CfnInsightRule(this, ranking.id, {
          ruleName: `${stack.stackName}-${ranking.nameSuffix}`,
          ruleState: 'ENABLED',
          ruleBody: stack.toJsonString(tenantRuleBody(ranking, names)),
        }),
      );
    }
    this.rules = rules;
  }
}
