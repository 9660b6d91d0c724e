/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Full-jitter exponential backoff: attempt 0 -> up to base ms, doubling, capped. */
export function backoffMs(attempt: number, base = 50, cap = 5000): number {
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Like mapLimit, but entries with the same key run one after another in input order (so repeated ids
 * in one request apply in order), while different keys run in parallel.
 */
export async function mapLimitByKey<R>(
  keys: readonly string[],
  limit: number,
  run: (index: number) => Promise<R>,
): Promise<R[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const results = new Array<R>(keys.length);
  await mapLimit([...groups.values()], limit, async (indexes) => {
    for (const i of indexes) results[i] = await run(i);
  });
  return results;
}
