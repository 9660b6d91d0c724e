/**
 * `npm run bench`: runs the benchmarks against an in-memory DynamoDB Local through the local HTTP
 * server and writes bench/results/latest.json and bench/results/latest.md.
 * Latencies are those of DynamoDB Local on this machine, not of AWS; request and capacity counts
 * are what AWS would see.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBench } from './harness';
import { writeBenchmarks, type Row } from './writes';

function table(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: (string | number | undefined)[]) => `| ${cells.map((c) => c ?? '').join(' | ')} |`;
  return [line(cols), line(cols.map(() => '---')), ...rows.map((r) => line(cols.map((c) => r[c])))].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const b = await startBench();
  const sections: Record<string, Row[]> = {};
  try {
    if (!only || only === 'writes') sections.writes = await writeBenchmarks(b);
  } finally {
    await b.close();
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    backend: 'DynamoDB Local (in memory)',
  };
  const dir = path.resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify({ meta, sections }, null, 2)}\n`);
  const md = [
    `# Benchmark results`,
    '',
    `${meta.date}, Node ${meta.node}, ${meta.cpus} cores, ${meta.backend}.`,
    '',
  ];
  for (const [name, rows] of Object.entries(sections)) md.push(`## ${name}`, '', table(rows), '');
  writeFileSync(path.join(dir, 'latest.md'), md.join('\n'));
  process.stdout.write(`${md.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
