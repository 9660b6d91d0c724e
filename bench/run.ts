/**
 * `npm run bench`: runs the benchmarks against an in-memory DynamoDB Local through the local HTTP
 * server and writes bench/results/latest.json and bench/results/latest.md.
 * Latencies are those of DynamoDB Local on this machine, not of AWS; request and capacity counts
 * are what AWS would see.
 *
 * `npm run bench -- <section>` runs one section (writes, queries, load, attached, indexes); its results replace that section's
 * in latest.json and the others' are kept, so the files always hold every section's latest run.
 */
// first: quiets the logger and metrics before lambda/ modules load and read their settings
import './quiet';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ATTACHED_NOTE, attachedBenchmarks } from './attached';
import { bundleBenchmark } from './bundles';
import { startBench } from './harness';
import { INDEXES_NOTE, indexBenchmarks } from './indexes';
import { LOAD_NOTE, loadBenchmark } from './load';
import { QUERIES_NOTE, queryBenchmarks } from './queries';
import { writeBenchmarks, type Row } from './writes';

interface SectionDef {
  readonly run: (b: Awaited<ReturnType<typeof startBench>>) => Promise<Row[]>;
  readonly note?: string;
}

/** In run (and file) order. */
const SECTIONS: Record<string, SectionDef> = {
  writes: { run: writeBenchmarks },
  queries: { run: queryBenchmarks, note: QUERIES_NOTE },
  // Mixed queries and writes for LOAD_SECONDS (default 60) through the local server.
  load: { run: loadBenchmark, note: LOAD_NOTE },
  // An existing 10,050-item table attached read-only: key lookup, GSI-served and scan-served reads.
  attached: { run: attachedBenchmarks, note: ATTACHED_NOTE },
  // Issue 12: reads with and without Wix indexes, backfill, write cost, 200,000 items (INDEX_BENCH_200K=0 skips).
  indexes: { run: indexBenchmarks, note: INDEXES_NOTE },
};

interface Meta {
  date: string;
  node: string;
  cpus: number;
  backend: string;
}

interface Results {
  meta: Meta;
  /** When each section last ran (sections kept from earlier runs keep their date). */
  sectionDates?: Record<string, string>;
  sections: Record<string, Row[]>;
  notes?: Record<string, string>;
}

function readPrevious(file: string): Results | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Results;
    return parsed && typeof parsed.sections === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function table(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: (string | number | undefined)[]) => `| ${cells.map((c) => c ?? '').join(' | ')} |`;
  return [line(cols), line(cols.map(() => '---')), ...rows.map((r) => line(cols.map((c) => r[c])))].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const only = process.argv[2];
  // Bundles need no DynamoDB and have their own result files.
  if (only === 'bundles') return bundleBenchmark();
  if (only && !SECTIONS[only])
    throw new Error(`unknown section ${only}; one of ${Object.keys(SECTIONS).join(', ')}`);
  const started = performance.now();
  const b = await startBench();
  const sections: Record<string, Row[]> = {};
  const ranAt: Record<string, string> = {};
  try {
    for (const [name, def] of Object.entries(SECTIONS)) {
      if (only && only !== name) continue;
      const t = performance.now();
      sections[name] = await def.run(b);
      ranAt[name] = new Date().toISOString();
      process.stderr.write(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await b.close();
  }
  const meta: Meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    backend: 'DynamoDB Local (in memory)',
  };
  const dir = path.resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonFile = path.join(dir, 'latest.json');
  const previous = readPrevious(jsonFile);
  const merged: Results = {
    meta,
    sectionDates: {},
    sections: {},
    notes: {},
  };
  const known = [...Object.keys(SECTIONS), ...Object.keys(previous?.sections ?? {})];
  for (const name of new Set(known)) {
    const rows = sections[name] ?? previous?.sections[name];
    if (!rows) continue;
    merged.sections[name] = rows;
    merged.sectionDates![name] = ranAt[name] ?? previous?.sectionDates?.[name] ?? previous?.meta.date ?? '';
    const note = sections[name] ? SECTIONS[name]?.note : (previous?.notes?.[name] ?? SECTIONS[name]?.note);
    if (note) merged.notes![name] = note;
  }
  writeFileSync(jsonFile, `${JSON.stringify(merged, null, 2)}\n`);
  const md = [
    `# Benchmark results`,
    '',
    `${meta.date}, Node ${meta.node}, ${meta.cpus} cores, ${meta.backend}.`,
    '',
  ];
  for (const [name, rows] of Object.entries(merged.sections)) {
    md.push(`## ${name}`, '', `Run ${merged.sectionDates![name]}.`, '', table(rows), '');
    if (merged.notes![name]) md.push(merged.notes![name]!, '');
  }
  writeFileSync(path.join(dir, 'latest.md'), md.join('\n'));
  process.stdout.write(`${md.join('\n')}\n`);
  process.stderr.write(`total: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
