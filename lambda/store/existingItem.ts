/**
 * Writes to an item that must already exist (replace, delete), in our own collections and in
 * attached tables alike: each is conditioned on `attribute_exists` of the partition key, and a failed
 * condition means the item is not there.
 */
import { ConditionalCheckFailedException, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { ItemNotFoundError } from '../errors';
import type { Db } from './client';
import type { AttrMap } from './codec';

/** Runs a write conditioned on the item `id` existing; ItemNotFoundError when the condition fails. */
export async function whenExists<T>(id: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new ItemNotFoundError(id);
    throw err;
  }
}

/** Where an existing item is: its table, its key, and the name of its partition key attribute. */
export interface ExistingItem {
  readonly table: string;
  readonly key: AttrMap;
  readonly pkName: string;
  /** the Wix `_id`, for ItemNotFoundError */
  readonly id: string;
}

/** Deletes the item and returns its attributes as they were; ItemNotFoundError when absent. */
export function deleteExisting(db: Db, at: ExistingItem): Promise<AttrMap | undefined> {
  return whenExists(at.id, async () => {
    const out = await db.client.send(
      new DeleteItemCommand({
        TableName: at.table,
        Key: at.key,
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': at.pkName },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes;
  });
}
