/**
 * An `_id` lookup in one DynamoDB round trip of latency. Reading the collection record first and
 * the item after costs two; instead the item is read at once under the generation this process
 * last saw (service/generations.ts), in parallel with the record read. The record decides: when
 * its generation is the one guessed, the speculative read is the answer; otherwise (truncated
 * since, here or in another process) it is discarded and the item read again under the record's
 * generation, so an item of a truncated generation is never served. The record read is
 * consistent, so this is exactly as fresh as reading the record first.
 */
import type { RequestContext } from '../model/context';
import type { Deps } from '../model/deps';
import { getItems, type WixItem } from '../store/items';
import { itemsPk } from '../store/keys';
import { knownGeneration } from './generations';
import type { Reader } from './readers';
import { attachedEntry } from './sources';

/** Most ids a lookup may name to be read speculatively (one BatchGetItem). */
const MAX_SPECULATIVE_IDS = 100;

export interface Speculation {
  readonly generation: string;
  readonly ids: ReadonlySet<string>;
  readonly consistent: boolean;
  readonly items: Promise<Map<string, WixItem>>;
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * The ids of a filter that is only an `_id` lookup as sent (`{_id: x}`, `{_id: {$eq: x}}`,
 * `{_id: {$in: [...]}}`), else undefined. Recognised on the raw filter because the parsed one needs
 * the collection record; anything else simply takes the ordinary path.
 */
export function lookupIds(filter: unknown): string[] | undefined {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return undefined;
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return undefined;
  const cond = (filter as { _id: unknown })._id;
  if (isId(cond)) return [cond];
  if (typeof cond !== 'object' || cond === null || Array.isArray(cond)) return undefined;
  const ops = Object.keys(cond);
  if (ops.length !== 1) return undefined;
  const operand = (cond as Record<string, unknown>)[ops[0]!];
  if (ops[0] === '$eq' && isId(operand)) return [operand];
  if (
    ops[0] === '$in' &&
    Array.isArray(operand) &&
    operand.length > 0 &&
    operand.length <= MAX_SPECULATIVE_IDS &&
    operand.every(isId)
  )
    return operand;
  return undefined;
}

/** Starts the speculative read of an `_id` lookup on an own collection whose generation is known. */
export function speculate(
  deps: Deps,
  ctx: RequestContext,
  collectionId: string,
  filter: unknown,
  consistent: boolean,
): Speculation | undefined {
  const ids = lookupIds(filter);
  if (!ids || attachedEntry(deps, ctx, collectionId)) return undefined;
  const generation = knownGeneration(deps.db, ctx.tenant, collectionId);
  if (generation === undefined) return undefined;
  const items = getItems(deps.db, itemsPk(ctx.tenant, collectionId, generation), ids, consistent);
  // a failed guess is read again on the ordinary path; never an unhandled rejection
  items.catch(() => undefined);
  return { generation, ids: new Set(ids), consistent, items };
}

/**
 * The reader, answering from the speculation when the record confirms its generation and the plan
 * asks for exactly the ids read; any other read goes to DynamoDB as usual.
 */
export function withSpeculation(reader: Reader, s: Speculation | undefined, generation: string): Reader {
  if (!s || s.generation !== generation) return reader;
  return {
    ...reader,
    get: (ids, consistent) => {
      const same = consistent === s.consistent && ids.length > 0 && ids.every((id) => s.ids.has(id));
      const all = same && new Set(ids).size === s.ids.size;
      return all ? s.items.catch(() => reader.get(ids, consistent)) : reader.get(ids, consistent);
    },
  };
}
