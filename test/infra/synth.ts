/**
 * Builds the adaptor app for assertions: the same context as `cdk synth` (cdk.json's feature flags),
 * with bundling skipped so no esbuild runs and a synth takes about a second.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildAdaptorApp, type AdaptorAppOptions } from '../../lib/adaptor-app';
import type { AdaptorStack } from '../../lib/adaptor-stack';

const ROOT = path.resolve(__dirname, '..', '..');
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'),
).context;

export interface Built {
  readonly app: App;
  readonly stack: AdaptorStack;
}

/** The app as `bin/app.ts` builds it, with extra context; nothing synthesized yet. */
export function build(
  context: Record<string, unknown> = {},
  options: AdaptorAppOptions = { nag: false },
): Built {
  const app = new App({ context: { ...CDK_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] } });
  return { app, stack: buildAdaptorApp(app, options) };
}

/** The app synthesized without cdk-nag (see nag.test.ts), and its stack's template. */
export function synth(context: Record<string, unknown> = {}): Built & { readonly template: Template } {
  const built = build(context);
  return { ...built, template: Template.fromStack(built.stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string }>;

/** Logical id of each operation function, by operation name (from its tag). */
export function functionsByOperation(template: Template, tag: string): Map<string, string> {
  const found = template.findResources('AWS::Lambda::Function') as Resources;
  const byOp = new Map<string, string>();
  for (const [id, fn] of Object.entries(found)) {
    const op = (fn.Properties?.Tags ?? []).find((t: { Key: string }) => t.Key === tag)?.Value;
    if (op) byOp.set(op, id);
  }
  return byOp;
}

/** The IAM policy statements attached to a function's role. */
export function statementsOfFunction(template: Template, functionId: string): Array<Record<string, any>> {
  const fn = (template.findResources('AWS::Lambda::Function') as Resources)[functionId]!;
  const roleId: string = fn.Properties!.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((p) =>
    (p.Properties!.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId),
  );
  return policies.flatMap((p) => p.Properties!.PolicyDocument.Statement);
}

/** A statement's actions and resources as arrays. */
export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
