/**
 * The JSON size of a parsed value, counted without building its text and abandoned as soon as it
 * passes `limit`: request limits are in bytes, and a hostile value must not cost more to measure
 * than the limit it breaks.
 */
export function jsonSize(v: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (typeof cur === 'string') total += cur.length + 2;
    else if (typeof cur === 'number' || typeof cur === 'boolean') total += String(cur).length;
    else if (cur === null || cur === undefined) total += 4;
    else if (Array.isArray(cur)) {
      total += 2 + cur.length;
      for (const x of cur) stack.push(x);
    } else if (typeof cur === 'object') {
      const keys = Object.keys(cur);
      total += 2 + keys.length;
      for (const k of keys) {
        total += k.length + 3;
        stack.push((cur as Record<string, unknown>)[k]);
      }
    }
    if (total > limit) return total;
  }
  return total;
}
