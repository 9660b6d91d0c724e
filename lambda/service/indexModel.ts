/**
 * Wix indexes on the wire (`/v3/indexes/*`, wix-v3 §5.17) and their validation. Pure: the operations
 * live in service/indexes.ts. Limits follow Wix's own indexes: at most 3 fields, 1 for a unique one.
 */
import { ValidationError, type Violation } from '../errors';
import type { IndexFailure, IndexOrder, IndexRecord, IndexStatus } from '../model/collection';
import { isObject } from '../shape';
import { isWellFormed } from '../text';
import { INDEX_SLOTS } from '../store/indexKeys';

export const MAX_INDEX_FIELDS = 3;
export const MAX_UNIQUE_INDEX_FIELDS = 1;
export const MAX_INDEX_NAME_LENGTH = 128;
/** One GSI slot per index, so a collection holds as many indexes as the table has slots. */
export const MAX_INDEXES_PER_COLLECTION = INDEX_SLOTS.length;
/** A path names at most this many nested fields (`a.b.c.d`), each a non-empty key. */
const MAX_PATH_LENGTH = 1024;
const MAX_PATH_DEPTH = 16;

/** What a caller may ask for; status, slot and token are ours to set. */
export interface IndexSpec {
  name: string;
  fields: { path: string; order: IndexOrder }[];
  unique: boolean;
  caseInsensitive: boolean;
}

export interface WireIndex {
  name: string;
  fields: { path: string; order: IndexOrder }[];
  unique: boolean;
  caseInsensitive: boolean;
  status: IndexStatus;
  failure?: IndexFailure;
}

export function toWireIndex(index: IndexRecord): WireIndex {
  const wire: WireIndex = {
    name: index.name,
    fields: index.fields.map((f) => ({ path: f.path, order: f.order })),
    unique: index.unique,
    caseInsensitive: index.caseInsensitive,
    status: index.status,
  };
  if (index.failure) wire.failure = { ...index.failure };
  return wire;
}

function violation(fieldPath: string, message: string, rejected?: unknown): Violation {
  return rejected === undefined
    ? { fieldPath, message }
    : { fieldPath, message, rejectedValue: String(rejected) };
}

function parsePath(raw: unknown, at: string, problems: Violation[]): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_PATH_LENGTH || !isWellFormed(raw)) {
    problems.push(violation(at, `a non-empty string of at most ${MAX_PATH_LENGTH} characters`));
    return undefined;
  }
  const parts = raw.split('.');
  if (parts.length > MAX_PATH_DEPTH || parts.some((p) => p.length === 0 || p.startsWith('$'))) {
    problems.push(
      violation(
        at,
        `dot-separated field keys (at most ${MAX_PATH_DEPTH}), none empty or starting with $`,
        raw,
      ),
    );
    return undefined;
  }
  return raw;
}

function parseOrder(raw: unknown, at: string, problems: Violation[]): IndexOrder {
  if (raw === undefined || raw === null) return 'ASC';
  if (raw === 'ASC' || raw === 'DESC') return raw;
  problems.push(violation(at, 'ASC or DESC', raw));
  return 'ASC';
}

function parseFlag(raw: unknown, at: string, problems: Violation[]): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  problems.push(violation(at, 'a boolean', raw));
  return false;
}

/** Validates a CreateIndex `index`; every problem is reported at once, as a ValidationError. */
export function parseIndexSpec(raw: unknown): IndexSpec {
  if (!isObject(raw))
    throw new ValidationError('index must be an object', [violation('index', 'required object')]);
  const problems: Violation[] = [];
  const name = raw.name;
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_INDEX_NAME_LENGTH ||
    !isWellFormed(name)
  ) {
    problems.push(
      violation('index.name', `a non-empty string of at most ${MAX_INDEX_NAME_LENGTH} characters`),
    );
  }
  const unique = parseFlag(raw.unique, 'index.unique', problems);
  const caseInsensitive = parseFlag(raw.caseInsensitive, 'index.caseInsensitive', problems);
  const fields: IndexSpec['fields'] = [];
  const max = unique ? MAX_UNIQUE_INDEX_FIELDS : MAX_INDEX_FIELDS;
  if (!Array.isArray(raw.fields) || raw.fields.length === 0 || raw.fields.length > max) {
    problems.push(violation('index.fields', `1 to ${max} fields${unique ? ' for a unique index' : ''}`));
  } else {
    raw.fields.forEach((f: unknown, i: number) => {
      const at = `index.fields[${i}]`;
      if (!isObject(f)) {
        problems.push(violation(at, 'an object {path, order}'));
        return;
      }
      const path = parsePath(f.path, `${at}.path`, problems);
      const order = parseOrder(f.order, `${at}.order`, problems);
      if (path === undefined) return;
      if (fields.some((x) => x.path === path)) problems.push(violation(`${at}.path`, 'indexed twice', path));
      else fields.push({ path, order });
    });
  }
  if (problems.length > 0)
    throw new ValidationError(`invalid index: ${problems[0]!.fieldPath}: ${problems[0]!.message}`, problems);
  return { name: name as string, fields, unique, caseInsensitive };
}

export function requireIndexName(raw: unknown): string {
  if (
    typeof raw !== 'string' ||
    raw.length === 0 ||
    raw.length > MAX_INDEX_NAME_LENGTH ||
    !isWellFormed(raw)
  ) {
    throw new ValidationError('indexName must be a non-empty string', [
      violation('indexName', 'required string'),
    ]);
  }
  return raw;
}
