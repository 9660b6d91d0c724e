/** The items table: keys and GSI slots from the shared schema, and the data-safety settings. */
import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_SHAPE } from '../../lambda/store/schema';
import { synth } from './synth';

const { template } = synth();

describe('items table', () => {
  it('is the only table', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
  });

  it('has the string keys of lambda/store/schema.ts', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: TABLE_SHAPE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SHAPE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TABLE_SHAPE.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_SHAPE.sortKey, AttributeType: 'S' },
      ]),
    });
  });

  it('has every GSI slot with string keys and ALL projection', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!.Properties;
    expect(table.GlobalSecondaryIndexes).toEqual(
      TABLE_SHAPE.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    for (const i of TABLE_SHAPE.indexes) {
      expect(table.AttributeDefinitions).toContainEqual({
        AttributeName: i.partitionKey,
        AttributeType: 'S',
      });
      expect(table.AttributeDefinitions).toContainEqual({ AttributeName: i.sortKey, AttributeType: 'S' });
    }
  });

  it('is on-demand, KMS-encrypted, with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('survives stack deletion and replacement', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has a CloudFormation-generated name', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: Match.absent() });
  });

  const protection = (t: typeof template) =>
    Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0]!.Properties.Replicas[0]
      .DeletionProtectionEnabled;

  it('has deletion protection by default', () => {
    expect(protection(template)).toBe(true);
  });

  // `-c deletionProtection=false` arrives as a string; only an explicit "off" turns it off
  it.each([
    [false, false],
    ['false', false],
    ['0', false],
    ['no', false],
    [true, true],
    ['true', true],
    ['flase', true],
    ['', true],
  ])('deletionProtection=%p gives protection %p', (value, expected) => {
    expect(protection(synth({ deletionProtection: value }).template)).toBe(expected);
  });
});
