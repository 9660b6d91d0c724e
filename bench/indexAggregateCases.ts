/**
 * The index benchmark's aggregate case (issue 12): `sum(price)` over `category = X`, grouped by
 * nothing, on the base table and through the category index. Both run on the indexed collection:
 * `consistentRead: true` keeps every read off the GSIs (they are eventually consistent), so that
 * row reads exactly what the same aggregate reads with no index.
 */
import { type Bench } from './harness';
import { runReadCase, sameCount, type ReadCase } from './indexCases';
import type { Product } from './indexData';
import type { Row } from './writes';

function fail(what: string): never {
  throw new Error(`index benchmark answer is wrong: ${what}`);
}

/** The aggregate request and its check; the matches it counts are the items returned. */
function sumCase(collectionId: string, items: readonly Product[], category: string, consistentRead: boolean) {
  const inCategory = items.filter((i) => i.category === category);
  // prices are multiples of 1/20 here: summed as integers, divided once, as the exact decimal sum
  const total = inCategory.reduce((s, i) => s + Math.round(i.price * 20), 0) / 20;
  const c: ReadCase = {
    name: `aggregate \`sum(price)\` over \`category = ${category}\` (no grouping)`,
    path: '/v3/items/aggregate',
    request: {
      collectionId,
      initialFilter: { category },
      aggregation: {
        operations: [
          { resultFieldName: 'total', sum: { itemFieldName: 'price' } },
          { resultFieldName: 'n', itemCount: {} },
        ],
      },
      consistentRead,
    },
    verify: (body) => {
      const row = body.items?.[0];
      if (body.items?.length !== 1 || row.total !== total)
        fail(`sum(price): got ${JSON.stringify(body.items)}, want [{"total":${total},…}]`);
      sameCount(row.n, inCategory.length, 'aggregate item count');
      return row.n;
    },
    ...(consistentRead
      ? {}
      : {
          target: {
            limit: 1.2,
            basis: inCategory.length,
            label: `read ≤ 1.2 × ${inCategory.length.toLocaleString('en-US')} matches`,
          },
        }),
  };
  return c;
}

/** The aggregate rows: the base-table baseline (one run: it reads the collection), then indexed. */
export async function aggregateRows(
  b: Bench,
  collectionId: string,
  items: readonly Product[],
  category: string,
): Promise<Row[]> {
  return [
    await runReadCase(b, sumCase(collectionId, items, category, true), {
      reps: 1,
      warmups: 0,
      setting: 'base table (consistentRead, as with no index)',
    }),
    await runReadCase(b, sumCase(collectionId, items, category, false), {
      reps: 10,
      warmups: 1,
      setting: 'indexed (category)',
    }),
  ];
}
