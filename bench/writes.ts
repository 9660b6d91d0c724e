/** Write benchmarks (issue 3): 1,000-item insert, truncate of 3,000 items, background purge. */
import { purgesIdle } from './purgeWait';
import { median, round, type Bench } from './harness';

export interface Row {
  case: string;
  [metric: string]: string | number;
}

function items(n: number, prefix: string) {
  return Array.from({ length: n }, (_, i) => ({
    _id: `${prefix}-${String(i).padStart(5, '0')}`,
    title: `Item ${i}`,
    price: (i * 7) % 1000,
    tags: ['a', 'b'],
  }));
}

export async function writeBenchmarks(b: Bench, runs = 5): Promise<Row[]> {
  const rows: Row[] = [];
  const insertTimes: number[] = [];
  let insertStats = { requests: 0, writeUnits: 0, puts: 0, transactions: 0 };
  for (let run = 0; run < runs; run++) {
    const collectionId = `insert${run}`;
    await b.call('/v3/collections/create', {
      collection: { id: collectionId, fields: [{ key: 'title', type: 'TEXT' }] },
    });
    const m = await b.measure(() =>
      b.call('/v3/items/insert', { collectionId, items: items(1000, `r${run}`) }),
    );
    const failed = m.result.body.results.filter((r: { error?: unknown }) => r.error).length;
    if (failed) throw new Error(`${failed} inserts failed`);
    insertTimes.push(m.ms);
    insertStats = {
      requests: m.requests,
      writeUnits: m.stats.writeUnits,
      puts: m.stats.requests.PutItemCommand ?? 0,
      transactions: m.stats.requests.TransactWriteItemsCommand ?? 0,
    };
  }
  rows.push({
    case: 'insert 1,000 items (one request)',
    'median ms': round(median(insertTimes)),
    'DynamoDB requests': insertStats.requests,
    'write units': round(insertStats.writeUnits, 2),
    'write units per item': round(insertStats.writeUnits / 1000, 3),
    transactions: insertStats.transactions,
  });

  await b.call('/v3/collections/create', { collection: { id: 'big', fields: [] } });
  for (let i = 0; i < 3; i++)
    await b.call('/v3/items/insert', { collectionId: 'big', items: items(1000, `t${i}`) });
  const t = await b.measure(() => b.call('/v3/items/truncate', { collectionId: 'big' }));
  rows.push({
    case: 'truncate 3,000 items (returns)',
    'median ms': round(t.ms),
    'DynamoDB requests': t.requests,
    'write units': round(t.stats.writeUnits, 2),
    'write units per item': round(t.stats.writeUnits / 3000, 4),
    transactions: t.stats.requests.TransactWriteItemsCommand ?? 0,
  });
  const p = await b.measure(() => purgesIdle(b.deps));
  rows.push({
    case: 'background purge of those 3,000',
    'median ms': round(p.ms),
    'DynamoDB requests': p.requests,
    'write units': round(p.stats.writeUnits, 2),
    'write units per item': round(p.stats.writeUnits / 3000, 3),
    transactions: 0,
  });
  return rows;
}
