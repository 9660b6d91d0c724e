/**
 * `$matches` and `$urlized`: how dynamic pages find an item by its URL slug. `$matches` carries Wix's
 * spec (literal parts and "any of these characters" parts, usually case-insensitive); `$urlized`
 * compares the urlized form of the field (lower case, runs of spaces and dashes as one dash).
 */
import { OperandError, type OperatorDef } from './types';

export interface MatchSpec {
  ignoreCase: boolean;
  spec: ({ type: 'literal'; value: string } | { type: 'anyOf'; value: string })[];
}

const MAX_SPEC_PARTS = 200;

function escape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

export function specToRegExp(m: MatchSpec): RegExp {
  const body = m.spec.map((p) => (p.type === 'literal' ? escape(p.value) : `[${escape(p.value)}]`)).join('');
  return new RegExp(`^${body}$`, m.ignoreCase ? 'iu' : 'u');
}

function normaliseSpec(v: unknown): MatchSpec {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new OperandError('expects {ignoreCase, spec: [...]}');
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.spec) || o.spec.length > MAX_SPEC_PARTS)
    throw new OperandError(`spec must be an array of at most ${MAX_SPEC_PARTS} parts`);
  const spec = o.spec.map((p: unknown) => {
    const part = p as Record<string, unknown>;
    if (
      typeof p !== 'object' ||
      p === null ||
      (part.type !== 'literal' && part.type !== 'anyOf') ||
      typeof part.value !== 'string'
    ) {
      throw new OperandError('each spec part is {type: "literal" | "anyOf", value: string}');
    }
    if (part.type === 'anyOf' && part.value.length === 0)
      throw new OperandError('an anyOf part needs at least one character');
    return { type: part.type, value: part.value } as MatchSpec['spec'][number];
  });
  const out: MatchSpec = { ignoreCase: o.ignoreCase !== false, spec };
  specToRegExp(out); // proves it compiles
  return out;
}

const compiled = new WeakMap<MatchSpec, RegExp>();

export const matches: OperatorDef = {
  op: '$matches',
  capability: 'URLIZED',
  normalise: normaliseSpec,
  test(value, present, operand) {
    if (!present || typeof value !== 'string') return false;
    const spec = operand as MatchSpec;
    let re = compiled.get(spec);
    if (!re) compiled.set(spec, (re = specToRegExp(spec)));
    return re.test(value);
  },
  express(field, _operand, ph) {
    if (field === '_id') return undefined;
    const path = ph.path(field);
    return { expr: `attribute_type(${path}, ${ph.value('S')})`, exact: false };
  },
};

export function urlize(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '-');
}

export const urlized: OperatorDef = {
  op: '$urlized',
  capability: 'URLIZED',
  normalise(v) {
    if (typeof v !== 'string') throw new OperandError('expects a string');
    return urlize(v);
  },
  test(value, present, operand) {
    return present && typeof value === 'string' && urlize(value) === operand;
  },
  express: matches.express,
};
