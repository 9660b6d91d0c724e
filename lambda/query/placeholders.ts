/**
 * Hands out expression placeholders: every attribute name becomes `#nK` and every value `:vK`, so no
 * field name or value is ever spliced into an expression string.
 */
import { attributePath } from '../store/layout';

/**
 * How Wix field paths map onto a table's attributes, and which predicates the table can evaluate.
 * The default is the adaptor's own layout; an attached table has its own (query/tablePlan.ts).
 */
export interface ExpressionLayout {
  attributePath(fieldPath: string): string[];
  /** False leaves the predicate to memory (for example a key attribute, or a date kept as a string). */
  accepts(fieldPath: string, operand: unknown): boolean;
}

const OWN_LAYOUT: ExpressionLayout = { attributePath, accepts: () => true };

export class Placeholders {
  constructor(readonly layout: ExpressionLayout = OWN_LAYOUT) {}

  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly byName = new Map<string, string>();
  private valueCount = 0;

  name(attribute: string): string {
    let ph = this.byName.get(attribute);
    if (!ph) {
      ph = `#n${this.byName.size}`;
      this.byName.set(attribute, ph);
      this.names[ph] = attribute;
    }
    return ph;
  }

  value(v: unknown): string {
    const ph = `:v${this.valueCount++}`;
    this.values[ph] = v;
    return ph;
  }

  /** `#n0.#n1` for a Wix field path (mapped onto the stored layout), plus extra attribute names. */
  path(fieldPath: string, ...extra: string[]): string {
    return [...this.layout.attributePath(fieldPath), ...extra].map((a) => this.name(a)).join('.');
  }

  get isEmpty(): boolean {
    return this.byName.size === 0 && this.valueCount === 0;
  }
}

/** A compiled predicate. `exact`: DynamoDB matches precisely what the evaluator matches (else a superset). */
export interface Expressed {
  readonly expr: string;
  readonly exact: boolean;
}
