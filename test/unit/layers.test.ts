/**
 * Dependencies point one way: handlers -> protocol -> service -> query/store, with model/ (types) and
 * the shared leaf modules below everything. This test reads every runtime import and fails on one
 * that points upward, so a type that two layers need has to move down instead.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const LAMBDA = path.resolve(__dirname, '../../lambda');

/** What each layer may import (folders under lambda/, or top-level module names without `.ts`). */
const LEAF = ['model', 'errors', 'config', 'text', 'shape', 'log', 'metrics', 'tracer', 'pipeline', 'routes'];
const ALLOWED: Record<string, readonly string[]> = {
  model: ['model', 'config', 'errors', 'store'], // deps.ts names the store's client and purger types
  query: ['query', 'store', ...LEAF], // pure store modules (values, layout, schema); see the I/O rule below
  store: ['store', 'query', ...LEAF],
  service: ['service', 'query', 'store', ...LEAF],
  protocol: ['protocol', 'service', 'query', 'store', 'runtime', ...LEAF],
  handlers: ['handlers', 'protocol', 'service', 'runtime', ...LEAF],
  jobs: ['jobs', 'store', 'service', 'runtime', ...LEAF],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** The layer of a file or import target: its first folder under lambda/, or its module name. */
function layerOf(file: string): string {
  const rel = path.relative(LAMBDA, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.ts$/, '');
}

const edges = files(LAMBDA).flatMap((file) => {
  const from = layerOf(file);
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:import|export)[^'";]*?from\s+'(\.[^']+)'/g)].map((m) => {
    const target = path.resolve(path.dirname(file), m[1]!);
    return { file: path.relative(LAMBDA, file), from, to: layerOf(target), spec: m[1]! };
  });
});

describe('layering', () => {
  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
  });

  it.each(Object.keys(ALLOWED))('%s imports only from the layers below it', (layer) => {
    const upward = edges
      .filter((e) => e.from === layer && !ALLOWED[layer]!.includes(e.to))
      .map((e) => `${e.file} -> ${e.spec}`);
    expect(upward).toEqual([]);
  });

  it('query/ does no I/O: it imports neither the AWS SDK nor the store modules that send requests', () => {
    const io = files(path.join(LAMBDA, 'query')).filter((file) => {
      const source = readFileSync(file, 'utf8');
      return (
        /from '@aws-sdk\//.test(source) ||
        /from '[./]*store\/(client|items|collections|queryItems|references|purge|admin|secrets)'/.test(source)
      );
    });
    expect(io.map((f) => path.relative(LAMBDA, f))).toEqual([]);
  });
});
