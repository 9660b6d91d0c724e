/**
 * Decimal sums. DynamoDB stores numbers as decimals and Wix users add them as decimals, so a sum is
 * computed exactly on each number's shortest decimal form (0.1 + 0.2 = 0.3, not 0.30000000000000004)
 * and rounded to a double once at the end.
 */

export interface Decimal {
  readonly m: bigint;
  /** value = m * 10^e */
  readonly e: number;
}

export const ZERO: Decimal = { m: 0n, e: 0 };

export function fromNumber(n: number): Decimal {
  const [coef = '0', exp] = String(n).split('e');
  const negative = coef.startsWith('-');
  const [int = '0', frac = ''] = coef.replace('-', '').split('.');
  const m = BigInt(int + frac) * (negative ? -1n : 1n);
  return { m, e: (exp ? Number(exp) : 0) - frac.length };
}

export function add(a: Decimal, b: Decimal): Decimal {
  if (a.e === b.e) return { m: a.m + b.m, e: a.e };
  const [lo, hi] = a.e < b.e ? [a, b] : [b, a];
  return { m: lo.m + hi.m * 10n ** BigInt(hi.e - lo.e), e: lo.e };
}

export function toNumber(d: Decimal): number {
  return Number(`${d.m}e${d.e}`);
}
