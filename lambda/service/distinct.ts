/**
 * Distinct values of a field under a filter. Array values are unwound (["a","b"] gives "a" and "b");
 * missing and null values are not values. Ordered by the sort order (numbers, strings, dates, ...),
 * ASC or DESC, and paged by offset or by a signed cursor.
 */
import { QueryTooExpensiveError } from '../errors';
import type { RequestContext } from '../model/context';
import { parseFilter } from '../query/parse';
import { canonicalKey, compareSortValues, getPath, sortValue } from '../query/values';
import type { Deps } from '../model/deps';
import { pageOf, resume, type OffsetPaged, type PageResult } from './offsetPages';
import { forEachMatch } from './query';
import { resolveCollection } from './sources';
import { fieldPolicy } from './queryPolicy';

/** Most distinct values one request may collect in memory (each is held until the page is cut). */
export const MAX_DISTINCT_VALUES = 100_000;

export interface DistinctSpec extends OffsetPaged {
  readonly filter: unknown;
  readonly fieldName: string;
  readonly desc: boolean;
  readonly consistentRead: boolean;
}

export async function distinctValues(
  deps: Deps,
  ctx: RequestContext,
  given: DistinctSpec,
): Promise<PageResult<unknown>> {
  const record = await resolveCollection(deps, ctx, given.collectionId);
  const { spec, offset } = resume(deps, ctx, given, record.generation, 'distinct');
  const filter = parseFilter(spec.filter, fieldPolicy(record));
  const seen = new Map<string, unknown>();
  const tick = () => ctx.budget.tick();
  const add = (v: unknown) => {
    tick();
    if (v === null || v === undefined) return;
    const key = canonicalKey(v);
    if (seen.has(key)) return;
    if (seen.size >= MAX_DISTINCT_VALUES) {
      throw new QueryTooExpensiveError(
        `the field has more than ${MAX_DISTINCT_VALUES} distinct values under this filter; narrow the filter`,
      );
    }
    seen.set(key, v);
  };
  await forEachMatch(deps, ctx, record, filter, spec.consistentRead, (item) => {
    const { present, value } = getPath(item, spec.fieldName);
    if (!present) return;
    if (Array.isArray(value)) value.forEach(add);
    else add(value);
  });
  // each value's sort key is built once; the comparisons then only compare keys
  const keyed = [...seen.values()].map((v) => {
    tick();
    return { v, key: sortValue(v) };
  });
  keyed.sort((a, b) => {
    tick();
    const c = compareSortValues(a.key, b.key);
    return spec.desc ? -c : c;
  });
  const values = keyed.map((k) => k.v);
  return pageOf(deps, ctx, values, spec, offset, record.generation, 'distinct');
}
