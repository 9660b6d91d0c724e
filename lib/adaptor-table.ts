/**
 * The single items table. Its keys and GSI slots come from `lambda/store/schema.ts`, the same shape
 * the local server creates, so AWS and local mode cannot drift apart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_SHAPE } from '../lambda/store/schema';

export interface AdaptorTableProps {
  /** Refuse deletes of the table (console, API, CloudFormation) until the flag is turned off. */
  readonly deletionProtection: boolean;
}

export class AdaptorTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: AdaptorTableProps) {
    super(scope, id);
    const str = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });

    this.table = new dynamodb.TableV2(this, 'Table', {
      // No physical name: CloudFormation picks a unique one, so several stacks (stages, tests) can
      // live in one account and a replacement never collides with the retained old table.
      partitionKey: str(TABLE_SHAPE.partitionKey),
      sortKey: str(TABLE_SHAPE.sortKey),
      globalSecondaryIndexes: TABLE_SHAPE.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: str(index.partitionKey),
        sortKey: str(index.sortKey),
        // Index queries answer Wix queries that return whole items; KEYS_ONLY would cost a
        // GetItem per row. Slot attributes are sparse, so only indexed items are copied.
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      // Wix traffic is bursty and often tiny; on-demand costs nothing when idle and needs no tuning.
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS-managed key (aws/dynamodb) rather than the invisible AWS-owned default: its use is
      // in the user's CloudTrail and KMS console. A customer-managed key would add a monthly charge
      // and a key policy to maintain without giving this single-account app anything more.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      // The table is the users' data: deleting the stack must never delete it.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: props.deletionProtection,
    });
  }
}
