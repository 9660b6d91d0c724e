/** Least privilege: what each operation's role may do, derived from the route table's `access`. */
import { ROUTES } from '../../lambda/routes';
import { PURGE_OPERATION } from '../../lib/adaptor-stack';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ATTACHED_READ_ACTIONS, ATTACHED_WRITE_ACTIONS } from '../../lib/attached-tables';
import { OPERATION_TAG, TABLE_ACTIONS } from '../../lib/operation-function';
import { asArray, functionsByOperation, statementsOfFunction, synth } from './synth';

const { template } = synth();
const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(path.join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [path.join(dir, e.name)]
        : [],
  );
}
const byOp = functionsByOperation(template, OPERATION_TAG);
const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
const TABLE_RESOURCES = [
  { 'Fn::GetAtt': [tableId, 'Arn'] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] },
];

/** Exactly what a `read` operation may do: the reads the code makes, no Scan, streams or Describe. */
const READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
/** Actions no function needs: the code never scans, reads streams or describes the table. */
const NEVER = [
  'dynamodb:Scan',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:DescribeStream',
  'dynamodb:ListStreams',
  'dynamodb:DescribeTable',
];
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
  it('may only make the reads the code makes', () => {
    expect([...dynamoActions(op)].sort()).toEqual(READ_ACTIONS);
  });
});

describe.each(ROUTES.filter((r) => r.access === 'write').map((r) => r.operation))('write route %s', (op) => {
  it('may read and write items, and nothing more', () => {
    expect([...dynamoActions(op)].sort()).toEqual(
      [...READ_ACTIONS, ...WRITE_ACTIONS, 'dynamodb:ConditionCheckItem'].sort(),
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

  it('holds no action the code never uses (Scan, streams, DescribeTable)', () => {
    const all = statements.flatMap((s) => asArray<string>(s.Action));
    for (const action of NEVER) expect(all).not.toContain(action);
  });

  it('covers every DynamoDB command the deployed code sends', () => {
    // local-mode table administration (store/admin.ts) never runs on AWS
    // lambda/store/attached/ sends its commands to attached tables only (granted per attached table,
    // see the attached-tables block below); everything else goes to this table.
    const sent = new Set<string>();
    const sentToAttached = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, 'lambda'))) {
      if (file.endsWith(path.join('store', 'admin.ts'))) continue;
      const into = file.includes(path.join('store', 'attached') + path.sep) ? sentToAttached : sent;
      for (const m of readFileSync(file, 'utf8').matchAll(/new (\w+)Command\(/g)) into.add(m[1]!);
    }
    const needs: Record<string, string[]> = {
      TransactWriteItems: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      GetSecretValue: [],
      Invoke: [],
    };
    const granted = new Set<string>(TABLE_ACTIONS.write);
    for (const command of sent) {
      for (const action of needs[command] ?? [`dynamodb:${command}`]) expect(granted).toContain(action);
    }
    expect(sent.size).toBeGreaterThan(5);
    const grantedOnAttached = new Set<string>([...ATTACHED_READ_ACTIONS, ...ATTACHED_WRITE_ACTIONS]);
    for (const command of sentToAttached) expect(grantedOnAttached).toContain(`dynamodb:${command}`);
    expect(sentToAttached.size).toBeGreaterThan(5);
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
  const purgeId = byOp.get(PURGE_OPERATION)!;
  const purgeName = template.findResources('AWS::Lambda::Function')[purgeId]!.Properties.FunctionName;
  const invokesOf = (fnId: string) =>
    statementsOfFunction(template, fnId).filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('lambda:')),
    );
  const envOf = (fnId: string) =>
    template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Environment.Variables;

  it('exists, with a fixed name', () => {
    expect(purgeId).toBeDefined();
    expect(typeof purgeName).toBe('string');
  });

  it.each(starters)('is started by %s, by exact ARN, and by nothing else', (op) => {
    expect(invokesOf(byOp.get(op)!)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [purgeId, 'Arn'] } },
    ]);
    expect(envOf(byOp.get(op)!).PURGE_FUNCTION_NAME).toEqual({ Ref: purgeId });
  });

  it('cannot be started, and is not known, by routes that do not start purges', () => {
    for (const [op, fnId] of byOp) {
      if (starters.includes(op) || op === PURGE_OPERATION) continue;
      expect(invokesOf(fnId)).toEqual([]);
      expect(envOf(fnId).PURGE_FUNCTION_NAME).toBeUndefined();
    }
  });

  it('may invoke itself (continuation), by the ARN of its own name, and nothing else', () => {
    expect(invokesOf(purgeId)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':lambda:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:function:${purgeName}`,
            ],
          ],
        },
      },
    ]);
    expect(envOf(purgeId).PURGE_FUNCTION_NAME).toBe(purgeName);
  });

  it('may read and write items, and nothing more', () => {
    expect([...dynamoActions(PURGE_OPERATION)].sort()).toEqual([...TABLE_ACTIONS.write].sort());
  });

  it('is the only function anything may invoke besides API Gateway', () => {
    const invoked = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('lambda:')))
      .flatMap((s) => asArray(s.Resource));
    expect(invoked.length).toBe(starters.length + 1);
    for (const resource of invoked) {
      expect(JSON.stringify(resource)).toMatch(new RegExp(`"${purgeId}"|:function:${purgeName}"`));
    }
  });
});

describe('secrets', () => {
  const cursorSecretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) =>
    id.startsWith('ConfigCursorSecret'),
  )!;
  const legacySecretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) =>
    id.startsWith('ConfigSecretKey'),
  )!;
  const secretStatements = (fnId: string) =>
    statementsOfFunction(template, fnId).filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('secretsmanager:')),
    );
  const envOf = (fnId: string) =>
    template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Environment.Variables;

  it('both exist', () => {
    expect(cursorSecretId).toBeDefined();
    expect(legacySecretId).toBeDefined();
  });

  it.each(ROUTES.map((r) => [r.operation, r] as const))(
    '%s may read exactly the secrets it needs',
    (op, route) => {
      const fnId = byOp.get(op)!;
      const expected = [
        ...(route.access === 'read' ? [{ Ref: cursorSecretId }] : []),
        ...(route.paths.some((p) => p.protocol === 'legacy') ? [{ Ref: legacySecretId }] : []),
      ];
      const statements = secretStatements(fnId);
      expect(statements.flatMap((s) => asArray(s.Resource))).toEqual(expected);
      for (const s of statements) {
        expect(asArray<string>(s.Action).sort()).toEqual([
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
        ]);
      }
      const env = envOf(fnId);
      if (route.access === 'read') expect(env.CURSOR_SECRET_ARN).toEqual({ Ref: cursorSecretId });
      else expect(env.CURSOR_SECRET_ARN).toBeUndefined();
      if (route.paths.some((p) => p.protocol === 'legacy')) {
        expect(env.WIX_SECRET_KEY_ARN).toEqual({ Ref: legacySecretId });
      } else expect(env.WIX_SECRET_KEY_ARN).toBeUndefined();
    },
  );

  it('are not readable by the purge job', () => {
    const purgeId = byOp.get(PURGE_OPERATION)!;
    expect(secretStatements(purgeId)).toEqual([]);
    expect(envOf(purgeId).CURSOR_SECRET_ARN).toBeUndefined();
    expect(envOf(purgeId).WIX_SECRET_KEY_ARN).toBeUndefined();
  });

  it('are granted only on these two secrets, to operation functions only', () => {
    const fnRoles = new Set(
      [...byOp.values()].map(
        (id) => template.findResources('AWS::Lambda::Function')[id]!.Properties.Role['Fn::GetAtt'][0],
      ),
    );
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const statements = (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter(
        (s) => asArray<string>(s.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      if (statements.length === 0) continue;
      for (const role of policy.Properties.Roles) expect(fnRoles).toContain(role.Ref);
      for (const resource of statements.flatMap((s) => asArray(s.Resource))) {
        expect([{ Ref: cursorSecretId }, { Ref: legacySecretId }]).toContainEqual(resource);
      }
    }
  });
});

describe('with attached tables (context attachTables)', () => {
  const attachedTemplate = synth({
    attachTables: JSON.stringify([
      { table: 'legacy-orders', tenants: ['*'] },
      { table: 'shop-products', tenants: ['*'], access: 'readwrite', idAttribute: 'sku' },
    ]),
  }).template;
  const ownTableId = Object.keys(attachedTemplate.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
  const ownResources = [
    { 'Fn::GetAtt': [ownTableId, 'Arn'] },
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ownTableId, 'Arn'] }, '/index/*']] },
  ].map((r) => JSON.stringify(r));
  const statements = Object.values(attachedTemplate.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
    .filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')));

  it('still grants this table exactly the table actions, never Scan or DescribeTable', () => {
    const onOwn = statements.filter((s) =>
      asArray(s.Resource).some((r) => ownResources.includes(JSON.stringify(r))),
    );
    expect(onOwn.length).toBeGreaterThan(0);
    for (const s of onOwn) {
      for (const action of asArray<string>(s.Action)) {
        expect(TABLE_ACTIONS.write as readonly string[]).toContain(action);
        expect(NEVER).not.toContain(action);
      }
    }
  });

  it('grants Scan and DescribeTable only on the attached tables and their indexes', () => {
    const scanning = statements.filter((s) =>
      asArray<string>(s.Action).some((a) => a === 'dynamodb:Scan' || a === 'dynamodb:DescribeTable'),
    );
    expect(scanning.length).toBeGreaterThan(0);
    for (const s of scanning) {
      for (const resource of asArray(s.Resource)) {
        expect(ownResources).not.toContain(JSON.stringify(resource));
        expect(JSON.stringify(resource)).toMatch(/:table\/(legacy-orders|shop-products)(\/index\/\*)?"/);
      }
    }
  });
});
