/** The DynamoDB document client, built once per process. Only store/ talks to the AWS SDK. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config';
import { traced } from '../tracer';
import { DeadlineHttpHandler, DeadlineRetryStrategy } from './deadline';
import { currentScope } from './requestScope';

/** What this process asked of DynamoDB: requests per command and capacity consumed (benchmarks, tests). */
export interface DbStats {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Items DynamoDB read for Query/Scan (ScannedCount). */
  itemsRead: number;
}

export interface Db {
  /** The low-level client: values go through our own codec (store/codec.ts), never the SDK marshaller. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly stats: DbStats;
}

/** Attempts per DynamoDB call (the first and its retries), each within the request's deadline. */
const MAX_ATTEMPTS = 6;

export function emptyStats(): DbStats {
  return { requests: {}, readUnits: 0, writeUnits: 0, itemsRead: 0 };
}

export function resetStats(stats: DbStats): void {
  Object.assign(stats, emptyStats());
}

export function totalRequests(stats: DbStats): number {
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

function capacityOf(
  command: string,
  consumed: Capacity | Capacity[] | undefined,
): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      read += c.ReadCapacityUnits ?? 0;
      write += c.WriteCapacityUnits ?? 0;
    } else if (WRITES.has(command)) {
      write += c.CapacityUnits ?? 0;
    } else {
      read += c.CapacityUnits ?? 0;
    }
  }
  return { read, write };
}

interface Output {
  ConsumedCapacity?: Capacity | Capacity[];
  ScannedCount?: number;
  Item?: unknown;
  Responses?: Record<string, unknown[]> | unknown[];
}

/** Items a call read: ScannedCount for Query/Scan, the items returned by GetItem and BatchGetItem. */
function itemsReadBy(output: Output): number {
  if (typeof output.ScannedCount === 'number') return output.ScannedCount;
  if (output.Item !== undefined) return 1;
  if (output.Responses && !Array.isArray(output.Responses)) {
    return Object.values(output.Responses).reduce((n, items) => n + items.length, 0);
  }
  return 0;
}

export function createDb(config: Config): Db {
  const client = traced(
    new DynamoDBClient({
      region: config.region,
      // A DynamoDB call that hangs is cut and retried rather than eating the whole Lambda budget; each
      // attempt and each backoff also stops at the request's deadline (store/deadline.ts).
      retryStrategy: new DeadlineRetryStrategy(MAX_ATTEMPTS),
      requestHandler: new DeadlineHttpHandler({ connectionTimeout: 2_000 }, config.dynamodbTimeoutMs),
      ...(config.dynamodbEndpoint
        ? {
            endpoint: config.dynamodbEndpoint,
            // DynamoDB Local accepts any credentials; real AWS uses the Lambda role.
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {}),
    }),
  );
  const stats = emptyStats();
  // Every call asks for its consumed capacity (TOTAL adds a few bytes to an answer): it is what a
  // request costs, logged and sent as a metric per request. Benchmarks ask for the per-index split.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (input && typeof input === 'object')
        input.ReturnConsumedCapacity = config.measureCapacity ? 'INDEXES' : 'TOTAL';
      const out = await next(args);
      const name = context.commandName ?? 'unknown';
      const output = out.output as Output;
      const units = capacityOf(name, output.ConsumedCapacity);
      stats.requests[name] = (stats.requests[name] ?? 0) + 1;
      stats.readUnits += units.read;
      stats.writeUnits += units.write;
      if (typeof output.ScannedCount === 'number') stats.itemsRead += output.ScannedCount;
      const usage = currentScope()?.usage;
      if (usage) {
        usage.requests += 1;
        usage.readUnits += units.read;
        usage.writeUnits += units.write;
        usage.itemsRead += itemsReadBy(output);
      }
      return out;
    },
    { step: 'initialize', name: 'adaptorStats' },
  );
  return { client, tableName: config.tableName, stats };
}
