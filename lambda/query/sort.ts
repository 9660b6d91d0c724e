/**
 * Sorting rows by the effective sort, and keeping only the best K rows of a stream in memory.
 *
 * Each row's sort values are computed once (path lookups, canonical text of documents and lists) and
 * comparisons work on those, so an in-memory sort costs O(n) key builds plus O(n log n) cheap
 * comparisons. Every comparison calls `tick`, the request budget's cheap clock check, so a long sort
 * stops when the request's time is spent.
 */
import type { SortKey } from './ast';
import { compareSortValues, getPath, sortValue, type SortValue } from './values';

export type Row = Record<string, unknown>;
export type Comparator = (a: Row, b: Row) => number;
/** Called once per unit of CPU work; throws when the request's time is spent (RequestBudget.tick). */
export type Tick = () => void;

export const NO_TICK: Tick = () => {};

/** A row with its sort values, built once. */
export interface Keyed<T> {
  readonly row: T;
  readonly keys: readonly SortValue[];
}

export function keyed<T extends Row>(row: T, sort: readonly SortKey[]): Keyed<T> {
  return { row, keys: sort.map((s) => sortValue(getPath(row, s.field).value)) };
}

export function compareKeyed<T>(a: Keyed<T>, b: Keyed<T>, sort: readonly SortKey[]): number {
  for (let i = 0; i < sort.length; i++) {
    const c = compareSortValues(a.keys[i]!, b.keys[i]!);
    if (c !== 0) return sort[i]!.desc ? -c : c;
  }
  return 0;
}

/** A comparator over plain rows (it builds keys per call: for tests and tiny lists only). */
export function comparator(sort: readonly SortKey[]): Comparator {
  return (a, b) => compareKeyed(keyed(a, sort), keyed(b, sort), sort);
}

/** Sorts rows by `sort`, building each row's keys once. Stable. */
export function sortRows<T extends Row>(
  rows: readonly T[],
  sort: readonly SortKey[],
  tick: Tick = NO_TICK,
): T[] {
  const decorated = rows.map((row) => {
    tick();
    return keyed(row, sort);
  });
  decorated.sort((a, b) => {
    tick();
    return compareKeyed(a, b, sort);
  });
  return decorated.map((d) => d.row);
}

/**
 * Keeps the K smallest rows by `sort` in a bounded max-heap: memory is exactly K rows whatever the
 * stream's length, O(log K) per row. Ties keep the earlier row (the stream's key order), as a stable
 * sort would.
 */
export class TopK<T extends Row = Row> {
  private readonly heap: { keyed: Keyed<T>; seq: number }[] = [];
  private seq = 0;

  constructor(
    private readonly k: number,
    private readonly sort: readonly SortKey[],
    private readonly tick: Tick = NO_TICK,
  ) {}

  /** > 0 when a ranks after b (ties broken by arrival: later ranks after). */
  private cmp(a: { keyed: Keyed<T>; seq: number }, b: { keyed: Keyed<T>; seq: number }): number {
    this.tick();
    return compareKeyed(a.keyed, b.keyed, this.sort) || a.seq - b.seq;
  }

  add(row: T): void {
    if (this.k <= 0) return;
    const entry = { keyed: keyed(row, this.sort), seq: this.seq++ };
    const h = this.heap;
    if (h.length < this.k) {
      h.push(entry);
      this.up(h.length - 1);
    } else if (this.cmp(entry, h[0]!) < 0) {
      h[0] = entry;
      this.down(0);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.cmp(h[i]!, h[parent]!) <= 0) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < h.length && this.cmp(h[l]!, h[top]!) > 0) top = l;
      if (r < h.length && this.cmp(h[r]!, h[top]!) > 0) top = r;
      if (top === i) return;
      [h[i], h[top]] = [h[top]!, h[i]!];
      i = top;
    }
  }

  /** The kept rows, best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => this.cmp(a, b)).map((e) => e.keyed.row);
  }
}
