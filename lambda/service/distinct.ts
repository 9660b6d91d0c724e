/**
 * Distinct values of a field under a filter. Array values are unwound (["a","b"] gives "a" and "b");
 * missing and null values are not values. Ordered by the sort order (numbers, strings, dates, ...),
 * ASC or DESC, and paged by offset or by a signed cursor.
 */
import type { RequestContext } from '../model/context';
import { parseFilter } from '../query/parse';
import { canonical, compareForSort, getPath } from '../query/values';
import type { Deps } from '../model/deps';
import { pageOf, resume, type OffsetPaged, type PageResult } from './offsetPages';
import { forEachMatch } from './query';
import { resolveCollection } from './sources';
import { fieldPolicy } from './queryPolicy';

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
  const add = (v: unknown) => {
    if (v === null || v === undefined) return;
    const key = canonical(v);
    if (!seen.has(key)) seen.set(key, v);
  };
  await forEachMatch(deps, ctx, record, filter, spec.consistentRead, (item) => {
    const { present, value } = getPath(item, spec.fieldName);
    if (!present) return;
    if (Array.isArray(value)) value.forEach(add);
    else add(value);
  });
  const values = [...seen.values()].sort((a, b) =>
    spec.desc ? -compareForSort(a, b) : compareForSort(a, b),
  );
  return pageOf(deps, ctx, values, spec, offset, record.generation, 'distinct');
}
