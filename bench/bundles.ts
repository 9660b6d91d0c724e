/**
 * `npm run bench -- bundles`: synthesizes the app, then for each function records the size of its
 * bundle (and source map) and the time a fresh Node process takes to import it, the part of a Lambda
 * cold start that the code controls. Writes bench/results/bundles.json and bundles.md.
 *
 * Import times are this machine's (and its Node, unless LAMBDA_NODE names another binary); Lambda's
 * 256 MB ARM functions get a fraction of a core, so expect them to be several times longer there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wixKeys } from '../test/helpers/keys';
import { lambdaEnvironment, localParameters } from '../test/lambda/harness/environment';
import { FunctionProcess } from '../test/lambda/harness/functionProcess';
import { synthBundles } from '../test/lambda/harness/synthBundles';

/** Fresh processes per function; the median is reported. */
const RUNS = Number(process.env.BUNDLE_IMPORT_RUNS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (bytes: number) => Math.round(bytes / 1024);

export async function bundleBenchmark(): Promise<void> {
  const synth = synthBundles();
  // Nothing is called during an import; the endpoints only have to be well-formed.
  const nowhere = 'http://127.0.0.1:9';
  const aws = {
    dynamodbEndpoint: nowhere,
    tableName: 'bench',
    secretsManagerEndpoint: nowhere,
    lambdaEndpoint: nowhere,
    // the same values the bundle tests give (the parameters with defaults keep them)
    parameters: localParameters(wixKeys().publicKeyPem),
  };
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const fn of [...synth.functions.values()].sort((a, b) => a.operation.localeCompare(b.operation))) {
      // As deployed (NODE_OPTIONS=--enable-source-maps from the template), and without source maps,
      // which is what loading the source map at import costs.
      const importTimes = async (env: Record<string, string>) => {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const p = await FunctionProcess.start(fn, { env });
          times.push(p.importMs);
          p.stop();
        }
        return times;
      };
      const times = await importTimes(lambdaEnvironment(fn, synth, aws));
      const plain = await importTimes(lambdaEnvironment(fn, synth, aws, { NODE_OPTIONS: '' }));
      rows.push({
        function: fn.operation,
        bundleKiB: kb(fn.bundleBytes),
        sourceMapKiB: kb(fn.sourceMapBytes),
        importMsMedian: Math.round(median(times)),
        importMsMax: Math.round(Math.max(...times)),
        importMsMedianWithoutSourceMaps: Math.round(median(plain)),
      });
    }
  } finally {
    synth.cleanup();
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.env.LAMBDA_NODE ?? process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
    runsPerFunction: RUNS,
    synthSeconds: Number((synth.synthMs / 1000).toFixed(1)),
  };
  const dir = path.resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'bundles.json'), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
  const cols = Object.keys(rows[0]!);
  const md = [
    '# Bundle sizes and import (cold start) times',
    '',
    `${meta.date}, Node ${meta.node}, ${meta.cpus} cores (load ${meta.loadAverage.join(' ')}), ` +
      `median of ${RUNS} fresh processes per function; synth took ${meta.synthSeconds} s.`,
    '',
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => r[c]).join(' | ')} |`),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'bundles.md'), md);
  process.stdout.write(md);
}
