/**
 * Existing DynamoDB tables attached as Wix collections (CDK context `attachTables`, the same JSON as
 * the functions' `ATTACH_TABLES`, parsed by the same code). The stack grants each function access to
 * exactly those tables: data actions only, never table management, and writes only to `readwrite`
 * entries from `write` routes. Read routes never write, whatever an entry says.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AttachConfigError, parseAttachTables, type AttachEntry } from '../lambda/model/attach';
import type { Access } from '../lambda/routes';

/** The context key (cdk.json or `-c attachTables='[...]'`). */
export const ATTACH_CONTEXT = 'attachTables';

/**
 * Reads what an attached collection needs: keys, indexes, items; DescribeTable for its key schema.
 * Scan and DescribeTable are granted here, on the attached tables only, never on the adaptor's own.
 */
export const ATTACHED_READ_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
] as const;

/**
 * Item writes only, exactly the commands lambda/store/attached/ sends (no transactions, so no
 * ConditionCheckItem): the adaptor never creates, deletes, re-keys or indexes a table it did not create.
 */
export const ATTACHED_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** The entries from context; a bad entry stops the synth with a message naming it. */
export function attachTablesFromContext(scope: Construct): AttachEntry[] {
  try {
    return parseAttachTables(scope.node.tryGetContext(ATTACH_CONTEXT));
  } catch (err) {
    if (err instanceof AttachConfigError) throw new Error(`context ${ATTACH_CONTEXT} ${err.message}`);
    throw err;
  }
}

export class AttachedTables extends Construct {
  readonly entries: readonly AttachEntry[];
  /** Environment for every function: the entries, so the runtime serves what the stack granted. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, entries: readonly AttachEntry[]) {
    super(scope, id);
    this.entries = entries;
    this.environment = entries.length > 0 ? { ATTACH_TABLES: JSON.stringify(entries) } : {};
  }

  /** Gives a function's role what its route may do on the attached tables. */
  grant(role: iam.IRole, access: Access): void {
    if (access === 'none' || this.entries.length === 0) return;
    const tables = [...new Set(this.entries.map((e) => e.table))];
    const writable = new Set(this.entries.filter((e) => e.access === 'readwrite').map((e) => e.table));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...ATTACHED_READ_ACTIONS],
        resources: tables.flatMap((t) => [this.tableArn(t), `${this.tableArn(t)}/index/*`]),
      }),
    );
    if (access === 'write' && writable.size > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...ATTACHED_WRITE_ACTIONS],
          resources: [...writable].map((t) => this.tableArn(t)),
        }),
      );
    }
    for (const table of tables) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/${table}/index/*]`,
        reason: `The existing indexes of the attached table ${table} only (read): queries use whichever index matches.`,
      });
    }
  }

  tableArn(table: string): string {
    return Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: table });
  }
}
