/** Safe text for error messages: never throws, never walks a hostile value without limit. */

const MAX_DEPTH = 6;

function shallow(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_DEPTH) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => shallow(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).slice(0, 20)) {
    Object.defineProperty(out, k, {
      value: shallow((v as Record<string, unknown>)[k], depth + 1),
      enumerable: true,
    });
  }
  return out;
}

/** A short, JSON-like preview of any value (objects with a hostile toString included). */
export function preview(v: unknown, max = 200): string {
  try {
    if (typeof v === 'string') return v.slice(0, max);
    const text = JSON.stringify(shallow(v, 0));
    return (text ?? typeof v).slice(0, max);
  } catch {
    return typeof v;
  }
}

/** No lone surrogates: such strings cannot be encoded as UTF-8 (DynamoDB keys, URLs). */
export function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}
