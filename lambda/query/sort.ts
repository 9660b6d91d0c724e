/** Sorting rows by the effective sort, and keeping only the best K rows of a stream in memory. */
import type { SortKey } from './ast';
import { compareForSort, getPath } from './values';

export type Row = Record<string, unknown>;
export type Comparator = (a: Row, b: Row) => number;

export function comparator(sort: readonly SortKey[]): Comparator {
  return (a, b) => {
    for (const s of sort) {
      const c = compareForSort(getPath(a, s.field).value, getPath(b, s.field).value);
      if (c !== 0) return s.desc ? -c : c;
    }
    return 0;
  };
}

/** Keeps the K smallest rows by `cmp` using O(K) memory (amortised O(n log K)). */
export class TopK {
  private rows: Row[] = [];
  constructor(
    private readonly k: number,
    private readonly cmp: Comparator,
  ) {}

  add(row: Row): void {
    if (this.k <= 0) return;
    this.rows.push(row);
    if (this.rows.length >= this.k * 2 + 64) this.compact();
  }

  private compact(): void {
    this.rows.sort(this.cmp);
    this.rows.length = Math.min(this.rows.length, this.k);
  }

  sorted(): Row[] {
    this.compact();
    return this.rows;
  }
}
