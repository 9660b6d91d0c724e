/**
 * An estimate of a DynamoDB item's size, following AWS's published sizing rules (UTF-8 bytes of names
 * and strings, about one byte per two significant digits of a number, 3 bytes plus 1 per element for
 * maps and lists). Used to refuse clearly oversized items with a clear message before a write.
 */

export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

function numberBytes(n: number): number {
  const digits = String(Math.abs(n)).replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function valueBytes(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number') return numberBytes(v);
  if (Array.isArray(v)) return 3 + v.reduce<number>((sum, x) => sum + 1 + valueBytes(x), 0);
  if (typeof v === 'object') {
    let sum = 3;
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      sum += 1 + Buffer.byteLength(k, 'utf8') + valueBytes(x);
    return sum;
  }
  return 0;
}

/** Size of a top-level record (attribute names count once each). */
export function recordBytes(record: Record<string, unknown>): number {
  let sum = 0;
  for (const [k, v] of Object.entries(record)) sum += Buffer.byteLength(k, 'utf8') + valueBytes(v);
  return sum;
}
