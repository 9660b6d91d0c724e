import type { DynamoLocal } from '../../bin/local/dynamodbLocal';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __DYNAMO__?: DynamoLocal }).__DYNAMO__?.stop();
}
