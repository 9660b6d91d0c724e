/**
 * System dates a caller may set. Legacy (Wix's v2 reference adaptor) stamps `_createdDate` and
 * `_updatedDate` only when the item does not carry them, so a site that imports or migrates items
 * keeps their history; V3 always stamps them. Legacy sends dates as `{$date: ISO}`, and the v1
 * reference also took bare ISO strings: both are accepted, and stored as `{$date}` like any date.
 */
import { ValidationError } from '../errors';
import { isDateWrapper, normaliseDate } from '../store/values';

export const CALLER_DATE_FIELDS = ['_createdDate', '_updatedDate'] as const;
export type CallerDateField = (typeof CALLER_DATE_FIELDS)[number];

/**
 * The caller's date for `field`, normalised; undefined when absent (or null: nothing to keep).
 * Anything else that is not a date is refused, rather than silently replaced by "now".
 */
export function callerDate(
  item: Record<string, unknown>,
  field: CallerDateField,
): { $date: string } | undefined {
  const value = item[field];
  if (value === undefined || value === null) return undefined;
  const text = isDateWrapper(value) ? value.$date : typeof value === 'string' ? value : undefined;
  const iso = text === undefined ? undefined : normaliseDate(text);
  if (iso === undefined) {
    const message = `${field} must be a date ({"$date": ISO-8601} or an ISO-8601 string)`;
    throw new ValidationError(message, [
      { fieldPath: field, rejectedValue: JSON.stringify(value).slice(0, 80), message },
    ]);
  }
  return { $date: iso };
}
