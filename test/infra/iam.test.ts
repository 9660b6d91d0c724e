/** Least privilege: what each operation's role may do, derived from the route table's `access`. */
import { existsSync } from 'node:fs';
import { ROUTES } from '../../lambda/routes';
import { PURGE_OPERATION } from '../../lib/adaptor-stack';
import { handlerEntry, OPERATION_TAG } from '../../lib/operation-function';
import { asArray, functionsByOperation, statementsOfFunction, synth } from './synth';

const { template } = synth();
const byOp = functionsByOperation(template, OPERATION_TAG);
const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
const TABLE_RESOURCES = [
  { 'Fn::GetAtt': [tableId, 'Arn'] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] },
];

/** Every data-plane read action a `read` operation may hold; anything else is a write or admin. */
const READ_ACTIONS = new Set([
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
]);
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

const dynamoActions = (op: string) =>
  statementsOfFunction(template, byOp.get(op)!)
    .flatMap((s) => asArray<string>(s.Action))
    .filter((a) => a.startsWith('dynamodb:'));

describe.each(ROUTES.filter((r) => r.access === 'read').map((r) => r.operation))('read route %s', (op) => {
  it('may only read the table', () => {
    const actions = dynamoActions(op);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(READ_ACTIONS).toContain(action);
    for (const action of WRITE_ACTIONS) expect(actions).not.toContain(action);
  });
});

describe.each(ROUTES.filter((r) => r.access === 'write').map((r) => r.operation))('write route %s', (op) => {
  it('may read and write items', () => {
    expect(dynamoActions(op)).toEqual(
      expect.arrayContaining([...WRITE_ACTIONS, 'dynamodb:Query', 'dynamodb:GetItem']),
    );
  });
});

describe.each(ROUTES.filter((r) => r.access === 'none').map((r) => r.operation))(
  'no-access route %s',
  (op) => {
    it('has no DynamoDB permission at all', () => {
      expect(dynamoActions(op)).toEqual([]);
    });
  },
);

describe('every policy in the stack', () => {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>,
  );

  it('grants DynamoDB actions on this table and its indexes only', () => {
    for (const s of statements.filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')),
    )) {
      for (const resource of asArray(s.Resource)) expect(TABLE_RESOURCES).toContainEqual(resource);
    }
  });

  it('never uses wildcard actions, table administration or PartiQL', () => {
    for (const action of statements.flatMap((s) => asArray<string>(s.Action))) {
      expect(action).not.toContain('*');
      expect(action).not.toMatch(/^dynamodb:(Create|Delete|Update)Table|^dynamodb:PartiQL/);
    }
  });

  it('lets each function write only to its own log group', () => {
    for (const [, fnId] of byOp) {
      const fn = template.findResources('AWS::Lambda::Function')[fnId]!;
      const logs = statementsOfFunction(template, fnId).filter((s) =>
        asArray<string>(s.Action).some((a) => a.startsWith('logs:')),
      );
      expect(logs).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
        },
      ]);
    }
  });
});

describe('purge job', () => {
  const starters = ROUTES.filter((r) => r.startsPurge).map((r) => r.operation);
  const purgeExists = existsSync(handlerEntry(PURGE_OPERATION));

  (purgeExists ? it.skip : it)(
    'is absent, and nothing may invoke functions, until its handler exists',
    () => {
      expect(byOp.has(PURGE_OPERATION)).toBe(false);
      expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(
        'lambda:InvokeFunction',
      );
      expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toContain(
        'PURGE_FUNCTION_NAME',
      );
    },
  );

  // The purge handler is written separately; this runs as soon as it exists.
  (purgeExists ? it : it.skip)(
    'is invoked only by startsPurge routes, by exact ARN, and may write the table',
    () => {
      const purgeId = byOp.get(PURGE_OPERATION)!;
      expect(purgeId).toBeDefined();
      for (const [op, fnId] of byOp) {
        const invokes = statementsOfFunction(template, fnId).filter((s) =>
          asArray<string>(s.Action).includes('lambda:InvokeFunction'),
        );
        const env = template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Environment.Variables;
        if (starters.includes(op)) {
          expect(invokes).toEqual([
            {
              Effect: 'Allow',
              Action: 'lambda:InvokeFunction',
              Resource: { 'Fn::GetAtt': [purgeId, 'Arn'] },
            },
          ]);
          expect(env.PURGE_FUNCTION_NAME).toEqual({ Ref: purgeId });
        } else {
          expect(invokes).toEqual([]);
          expect(env.PURGE_FUNCTION_NAME).toBeUndefined();
        }
      }
      expect(dynamoActions(PURGE_OPERATION)).toEqual(expect.arrayContaining(WRITE_ACTIONS));
    },
  );
});
