/**
 * CDK context `attachTables`: the functions get access to exactly the attached tables, read-only for
 * read entries, and read routes never write; a bad entry stops the synth naming it.
 */
import { ROUTES } from '../../lambda/routes';
import { ATTACHED_READ_ACTIONS, ATTACHED_WRITE_ACTIONS } from '../../lib/attached-tables';
import { OPERATION_TAG } from '../../lib/operation-function';
import { AwsSolutionsChecks } from 'cdk-nag';
import { asArray, build, functionsByOperation, statementsOfFunction, synth } from './synth';

const ENTRIES = [
  { table: 'legacy-orders', tenants: ['site-1'] },
  {
    table: 'shop-products',
    collectionId: 'Products',
    tenants: ['*'],
    access: 'readwrite',
    idAttribute: 'sku',
  },
];

const { template } = synth({ attachTables: JSON.stringify(ENTRIES) });
const byOp = functionsByOperation(template, OPERATION_TAG);

/** The ARN the stack builds for a table name (partition, region and account as pseudo parameters). */
const arnOf = (table: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':dynamodb:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:table/${table}`,
    ],
  ],
});
const indexesOf = (table: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':dynamodb:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:table/${table}/index/*`,
    ],
  ],
});

/** The actions a function may take on one resource. */
function actionsOn(op: string, resource: unknown): string[] {
  return statementsOfFunction(template, byOp.get(op)!)
    .filter((s) => asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)))
    .flatMap((s) => asArray<string>(s.Action));
}

const routes = (access: string) => ROUTES.filter((r) => r.access === access).map((r) => r.operation);

describe.each(routes('read'))('read route %s', (op) => {
  it.each(['legacy-orders', 'shop-products'])('may read %s and its indexes, never write it', (table) => {
    expect(actionsOn(op, arnOf(table)).sort()).toEqual([...ATTACHED_READ_ACTIONS].sort());
    expect(actionsOn(op, indexesOf(table)).sort()).toEqual([...ATTACHED_READ_ACTIONS].sort());
  });
});

describe.each(routes('write'))('write route %s', (op) => {
  it('may write the readwrite entry', () => {
    expect(actionsOn(op, arnOf('shop-products'))).toEqual(
      expect.arrayContaining([...ATTACHED_WRITE_ACTIONS]),
    );
  });
  it('may only read the read entry', () => {
    expect(actionsOn(op, arnOf('legacy-orders')).sort()).toEqual([...ATTACHED_READ_ACTIONS].sort());
  });
  it('never writes an index', () => {
    for (const a of actionsOn(op, indexesOf('shop-products')))
      expect(ATTACHED_READ_ACTIONS as readonly string[]).toContain(a);
  });
});

describe.each(routes('none'))('no-access route %s', (op) => {
  it('gets nothing on attached tables', () => {
    expect(actionsOn(op, arnOf('legacy-orders'))).toEqual([]);
    expect(actionsOn(op, arnOf('shop-products'))).toEqual([]);
  });
});

describe('attached tables in the stack', () => {
  it('never grants table management on them', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>,
    );
    for (const action of statements.flatMap((s) => asArray<string>(s.Action)))
      expect(action).not.toMatch(/^dynamodb:(Create|Delete|Update)Table|^dynamodb:.*\*/);
  });

  it('hands every function the entries as ATTACH_TABLES, as the runtime parses them', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    const withTag = fns.filter((f) =>
      (f.Properties.Tags ?? []).some((t: { Key: string }) => t.Key === OPERATION_TAG),
    );
    expect(withTag.length).toBeGreaterThan(0);
    for (const fn of withTag) {
      const parsed = JSON.parse(fn.Properties.Environment.Variables.ATTACH_TABLES);
      expect(parsed.map((e: { table: string; access: string }) => [e.table, e.access])).toEqual([
        ['legacy-orders', 'read'],
        ['shop-products', 'readwrite'],
      ]);
    }
  });

  it('accepts the context as JSON from cdk.json as well as a string from -c', () => {
    const { template: fromJson } = synth({ attachTables: ENTRIES });
    expect(JSON.stringify(fromJson.toJSON())).toContain('table/legacy-orders');
  });

  it('stays clean under the AWS Solutions checks', () => {
    const { app } = build({ attachTables: ENTRIES }, { nag: true });
    const result = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      result.violations.map((v) => v.ruleName + ' ' + v.violatingResources.map((r) => r.constructPath)),
    ).toEqual([]);
  });

  it.each([
    [[{ table: 'orders' }], /context attachTables entry \[0\] \(table "orders"\): "tenants" is required/],
    ['[{', /context attachTables is not valid JSON/],
  ])('refuses a bad entry at synth: %j', (value, message) => {
    expect(() => build({ attachTables: value })).toThrow(message);
  });

  it('leaves the stack unchanged without attached tables', () => {
    const { template: plain } = synth();
    expect(JSON.stringify(plain.toJSON())).not.toContain('ATTACH_TABLES');
  });
});
