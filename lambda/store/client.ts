/** The DynamoDB document client, built once per process. Only store/ talks to the AWS SDK. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';

export interface Db {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function createDb(config: Config): Db {
  const client = new DynamoDBClient({
    region: config.region,
    maxAttempts: 6,
    ...(config.dynamodbEndpoint
      ? {
          endpoint: config.dynamodbEndpoint,
          // DynamoDB Local accepts any credentials; real AWS uses the Lambda role.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { doc, tableName: config.tableName };
}
