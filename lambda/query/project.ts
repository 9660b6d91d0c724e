/** Projection: `fields` returns those fields (dotted paths allowed) plus `_id`. Own properties only. */
import { keepCreationToken } from '../store/creationToken';
import { getPath, setPath } from './values';

export function project(
  item: Record<string, unknown>,
  fields: readonly string[] | undefined,
): Record<string, unknown> {
  if (!fields || fields.length === 0) return item;
  const out: Record<string, unknown> = { _id: item._id };
  for (const field of fields) {
    const { present, value } = getPath(item, field);
    if (present) setPath(out, field, value);
  }
  // the projected row is still that item: references included into it check its creation token
  keepCreationToken(item, out);
  return out;
}
