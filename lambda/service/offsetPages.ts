/**
 * Paging of computed result lists (aggregate rows, distinct values, references): offset pages, or
 * signed cursors that carry the request itself and the offset of the next page.
 */
import { ValidationError } from '../errors';
import type { RequestContext } from '../model/context';
import { decodeOffsetCursor, encodeCursor, type OffsetCursorState } from '../query/cursor';
import type { Deps } from '../model/deps';

export interface OffsetPaged {
  readonly collectionId: string;
  readonly limit: number;
  readonly offset: number;
  readonly cursorMode: boolean;
  readonly cursor: string | undefined;
  readonly limitGiven: boolean;
  readonly returnTotalCount: boolean;
}

export interface PageResult<T> {
  rows: T[];
  offset: number;
  total: number | undefined;
  /** Cursor mode only: the next page's cursor, or null on the last page. */
  nextCursor: string | null | undefined;
}

type Kind = OffsetCursorState['k'];

/** The request to answer and where its page starts: from the cursor when there is one. */
export function resume<S extends OffsetPaged>(
  deps: Deps,
  ctx: RequestContext,
  given: S,
  generation: string,
  kind: Kind,
): { spec: S; offset: number } {
  if (given.cursor === undefined) return { spec: given, offset: given.cursorMode ? 0 : given.offset };
  const state = decodeOffsetCursor(
    given.cursor,
    ctx.tenant,
    deps.config.cursorSecret,
    given.collectionId,
    kind,
  );
  if (state.g !== generation)
    throw new ValidationError('invalid cursor: the collection was truncated since it was issued');
  const spec = {
    ...(state.r as S),
    cursor: undefined,
    cursorMode: true,
    limit: given.limitGiven ? given.limit : state.l,
  };
  return { spec, offset: state.o };
}

/** One page of `all`, with the total and (cursor mode) the next cursor. */
export function pageOf<T, S extends OffsetPaged>(
  deps: Deps,
  ctx: RequestContext,
  all: readonly T[],
  spec: S,
  offset: number,
  generation: string,
  kind: Kind,
): PageResult<T> {
  const rows = all.slice(offset, offset + spec.limit);
  let nextCursor: string | null | undefined;
  if (spec.cursorMode) {
    const { cursor: _cursor, ...request } = spec;
    nextCursor =
      offset + spec.limit < all.length
        ? encodeCursor(
            {
              c: spec.collectionId,
              g: generation,
              k: kind,
              r: request,
              o: offset + spec.limit,
              l: spec.limit,
            },
            ctx.tenant,
            deps.config.cursorSecret,
          )
        : null;
  }
  return { rows, offset, total: spec.returnTotalCount ? all.length : undefined, nextCursor };
}
