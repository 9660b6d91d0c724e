/**
 * Synthesizes the app as `cdk synth` does (local esbuild bundling, the stack's own bundling options)
 * and copies each function's bundle to a temp directory outside the repository, so that nothing can
 * be resolved from the repository's node_modules when the bundle runs.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildAdaptorApp } from '../../../lib/adaptor-app';
import { OPERATION_TAG } from '../../../lib/operation-function';

const ROOT = path.resolve(__dirname, '..', '..', '..');

type Value = string | { Ref: string } | Record<string, unknown>;

export interface BundledFunction {
  readonly operation: string;
  /** Physical name when the stack fixes one (the purge), else the logical id. */
  readonly functionName: string;
  readonly logicalId: string;
  /** Directory holding only this function's bundle (a copy, outside the repository). */
  readonly dir: string;
  /** `index.mjs` for `Handler: index.handler`. */
  readonly entryFile: string;
  readonly handlerExport: string;
  /** Environment exactly as in the template, references unresolved. */
  readonly environment: Readonly<Record<string, Value>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly runtime: string;
  /** Bytes of the bundle files (code, and its source map). */
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
}

export interface SynthResult {
  readonly functions: ReadonlyMap<string, BundledFunction>;
  /** Parameters of the template, by name (to give each a value: environment.ts, stackParameters). */
  readonly parameters: Readonly<Record<string, { Type: string; Default?: unknown }>>;
  /** Resources of the template, by logical id (to resolve references in the environment). */
  readonly resources: Readonly<Record<string, { Type: string; Properties?: Record<string, any> }>>;
  readonly synthMs: number;
  /** Removes every temp directory. */
  cleanup(): void;
}

export function synthBundles(): SynthResult {
  const started = performance.now();
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'wix-adaptor-cdkout-'));
  const bundles = mkdtempSync(path.join(os.tmpdir(), 'wix-adaptor-bundles-'));
  // Asset metadata names each function's bundle directory (the CLI sets this flag too).
  const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = buildAdaptorApp(app, { nag: false });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Parameters?: SynthResult['parameters'];
    Resources: SynthResult['resources'] & Record<string, { Metadata?: Record<string, string> }>;
  };
  const functions = new Map<string, BundledFunction>();
  for (const [logicalId, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const p = res.Properties!;
    const operation = (p.Tags ?? []).find((t: { Key: string }) => t.Key === OPERATION_TAG)?.Value;
    if (!operation) continue;
    const assetDir = path.join(assembly.directory, res.Metadata!['aws:asset:path']!);
    const dir = path.join(bundles, operation);
    cpSync(assetDir, dir, { recursive: true });
    const [file, handlerExport] = (p.Handler as string).split('.') as [string, string];
    const entryFile = readdirSync(dir).find((f) => f === `${file}.mjs` || f === `${file}.js`)!;
    const size = (f: string) => (readdirSync(dir).includes(f) ? statSync(path.join(dir, f)).size : 0);
    functions.set(operation, {
      operation,
      logicalId,
      functionName: typeof p.FunctionName === 'string' ? p.FunctionName : logicalId,
      dir,
      entryFile,
      handlerExport,
      environment: p.Environment?.Variables ?? {},
      timeoutSeconds: p.Timeout,
      memoryMb: p.MemorySize,
      runtime: p.Runtime,
      bundleBytes: size(entryFile),
      sourceMapBytes: size(`${entryFile}.map`),
    });
  }
  rmSync(outdir, { recursive: true, force: true });
  return {
    functions,
    parameters: template.Parameters ?? {},
    resources: template.Resources,
    synthMs: performance.now() - started,
    cleanup: () => rmSync(bundles, { recursive: true, force: true }),
  };
}
