/**
 * The `Limit` of the next page of a page-filling read. DynamoDB's Limit counts items read, not
 * matches, so a filtered page must read about (matches still needed) / selectivity items. The
 * selectivity is measured on the pages already read (matches counted by the consumer after its
 * in-memory re-check), so the next page asks for what the data seen so far says it needs, plus a
 * small margin, instead of growing blindly.
 *
 * Reads of an index's GSI size their pages by their own rule (store/indexQuery.ts `nextLimit`): its
 * key condition usually selects exactly the matches, so its first page assumes they all match.
 */

/**
 * Selectivity assumed before anything is read. The first page reads 1.25 times what is wanted: a
 * guess, so no margin on top. Any lower prior would break the 1.3x bound for a filter that matches
 * (nearly) everything; a higher one costs a filtered page one more round trip more often.
 */
export const PRIOR_SELECTIVITY = 0.8;
/**
 * Extra items asked for beyond the estimate: a page a little short costs one more round trip, a
 * page a little long costs reads; 10 % keeps a read under 1.3 times the need with room for the
 * estimate's own error.
 */
export const SAFETY_MARGIN = 1.1;

export interface PageProgress {
  /** Matches the read must find in all (skip + page + 1). */
  readonly wanted: number;
  /** Matches found so far (after the in-memory re-check). */
  readonly matched: number;
  /** Items DynamoDB read so far (ScannedCount of the pages already read). */
  readonly read: number;
  /** Every item read is a match (no filter at all): read exactly what is still wanted. */
  readonly everyReadMatches: boolean;
  /** The largest Limit to ask for. */
  readonly maxLimit: number;
}

/**
 * Limit = remaining / selectivity x margin. Before the first page: remaining / the prior. After it
 * the selectivity is (matched + 1) / (read + 1): one match more than seen, so a run of pages with no match
 * yet still gives a finite, fast-growing estimate, and the estimate errs high (a page short rather
 * than long: a short page costs a round trip, a long one costs reads).
 */
export function nextPageLimit(p: PageProgress): number {
  const remaining = Math.max(1, p.wanted - p.matched);
  if (p.everyReadMatches) return Math.min(p.maxLimit, remaining);
  const limit =
    p.read === 0
      ? Math.ceil(remaining / PRIOR_SELECTIVITY)
      : Math.ceil((remaining / Math.min(1, (p.matched + 1) / (p.read + 1))) * SAFETY_MARGIN);
  return Math.min(p.maxLimit, Math.max(remaining, limit));
}
