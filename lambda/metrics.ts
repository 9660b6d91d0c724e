/**
 * CloudWatch metrics as EMF lines (AWS Lambda Powertools Metrics): CloudWatch turns the JSON lines
 * a function prints into metrics, with no API call and no extra latency.
 *
 * Namespace `WixAdaptor` (POWERTOOLS_METRICS_NAMESPACE overrides it), default dimension `service`.
 * Per request, dimensions {service, operation}: Requests, Latency (ms), ItemsRead,
 * ReadCapacityUnits, WriteCapacityUnits; on failure, dimensions {service, operation, errorCode}:
 * Errors. Cold starts: ColdStart with {service, function_name}.
 * Local mode and tests turn EMF off with POWERTOOLS_METRICS_DISABLED=true (nobody reads it there).
 */
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './log';

export const METRICS_NAMESPACE = 'WixAdaptor';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export interface RequestMeasure {
  readonly operation: string;
  readonly ms: number;
  readonly itemsRead: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** The error code answered, for a request that failed (4xx and 5xx alike). */
  readonly errorCode?: string;
}

/**
 * Prints one request's metrics as one EMF line (and the error count as another, since it has one
 * more dimension). Synchronous from the first dimension to the flush, so requests that one process
 * serves concurrently (the local server, in-process tests) never share the buffer.
 */
export function recordRequest(m: RequestMeasure): void {
  if (m.errorCode) {
    const single = metrics.singleMetric();
    single.addDimensions({ operation: m.operation, errorCode: m.errorCode });
    single.addMetric('Errors', MetricUnit.Count, 1);
  }
  metrics.addDimension('operation', m.operation);
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Latency', MetricUnit.Milliseconds, m.ms);
  metrics.addMetric('ItemsRead', MetricUnit.Count, m.itemsRead);
  metrics.addMetric('ReadCapacityUnits', MetricUnit.Count, m.readUnits);
  metrics.addMetric('WriteCapacityUnits', MetricUnit.Count, m.writeUnits);
  metrics.publishStoredMetrics();
}
