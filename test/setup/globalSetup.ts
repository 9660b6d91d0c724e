/**
 * Starts one in-memory DynamoDB Local for the whole test run and creates the table; workers find it
 * through DYNAMODB_ENDPOINT. If Jest dies, the launcher's watchdog stops Java.
 */
import { startDynamoLocal } from '../../bin/local/dynamodbLocal';
import { loadConfig } from '../../lambda/config';
import { ensureTable } from '../../lambda/store/admin';
import { createDb } from '../../lambda/store/client';

export default async function globalSetup(): Promise<void> {
  const dynamo = await startDynamoLocal();
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = 'wix-adaptor-test';
  process.env.AWS_REGION = 'local';
  process.env.LOG_LEVEL = 'silent';
  // No grace before a purge may finish, so tests that wait for purges do not wait two minutes; the
  // race between writes and truncate/delete is tested with a real grace (purgeJob.test.ts).
  process.env.PURGE_GRACE_MS = '0';
  await ensureTable(createDb(loadConfig(process.env)));
  (globalThis as { __DYNAMO__?: typeof dynamo }).__DYNAMO__ = dynamo;
}
