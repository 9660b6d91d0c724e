/** Projection: `fields` returns those fields (dotted paths allowed) plus `_id`. */
import { setOwn } from '../store/values';
import { getPath } from './values';

export function project(
  item: Record<string, unknown>,
  fields: readonly string[] | undefined,
): Record<string, unknown> {
  if (!fields || fields.length === 0) return item;
  const out: Record<string, unknown> = { _id: item._id };
  for (const field of fields) {
    const { present, value } = getPath(item, field);
    if (!present) continue;
    const parts = field.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(target, part) ? target[part] : undefined;
      if (typeof next !== 'object' || next === null || Array.isArray(next)) setOwn(target, part, {});
      target = target[part] as Record<string, unknown>;
    }
    setOwn(target, parts[parts.length - 1]!, value);
  }
  return out;
}
