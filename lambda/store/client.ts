/** The DynamoDB document client, built once per process. Only store/ talks to the AWS SDK. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config';

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

function addCapacity(stats: DbStats, command: string, consumed: Capacity | Capacity[] | undefined): void {
  for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      stats.readUnits += c.ReadCapacityUnits ?? 0;
      stats.writeUnits += c.WriteCapacityUnits ?? 0;
    } else if (WRITES.has(command)) {
      stats.writeUnits += c.CapacityUnits ?? 0;
    } else {
      stats.readUnits += c.CapacityUnits ?? 0;
    }
  }
}

export function createDb(config: Config): Db {
  const client = new DynamoDBClient({
    region: config.region,
    maxAttempts: 6,
    // A DynamoDB call that hangs is cut and retried rather than eating the whole Lambda budget.
    requestHandler: {
      connectionTimeout: 2_000,
      requestTimeout: config.dynamodbTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(config.dynamodbEndpoint
      ? {
          endpoint: config.dynamodbEndpoint,
          // DynamoDB Local accepts any credentials; real AWS uses the Lambda role.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  const stats = emptyStats();
  // Counting is cheap; consumed capacity is asked for only when measuring (it enlarges responses).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (config.measureCapacity && input && typeof input === 'object')
        input.ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const name = context.commandName ?? 'unknown';
      stats.requests[name] = (stats.requests[name] ?? 0) + 1;
      const output = out.output as { ConsumedCapacity?: Capacity | Capacity[]; ScannedCount?: number };
      addCapacity(stats, name, output.ConsumedCapacity);
      if (typeof output.ScannedCount === 'number') stats.itemsRead += output.ScannedCount;
      return out;
    },
    { step: 'initialize', name: 'adaptorStats' },
  );
  return { client, tableName: config.tableName, stats };
}
