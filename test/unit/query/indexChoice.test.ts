/** The cost rule that picks an index or the base table (query/indexPlan.ts chooseIndex), table-driven. */
import type { IndexRecord, IndexStatus } from '../../../lambda/model/collection';
import type { SortKey } from '../../../lambda/query/ast';
import {
  boundsId,
  chooseIndex,
  indexCandidates,
  readsIdOrder,
  sortOrder,
} from '../../../lambda/query/indexPlan';
import { ID_SUFFIX_FORMAT } from '../../../lambda/store/indexKeys';
import { parseFilter } from '../../../lambda/query/parse';
import { effectiveSort } from '../../../lambda/query/plan';

function idx(
  name: string,
  fields: [string, 'ASC' | 'DESC'][],
  extra: { status?: IndexStatus; caseInsensitive?: boolean } = {},
): IndexRecord {
  return {
    name,
    fields: fields.map(([path, order]) => ({ path, order })),
    unique: false,
    caseInsensitive: extra.caseInsensitive ?? false,
    status: extra.status ?? 'ACTIVE',
    slot: 1,
    token: name,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

const PRICE = idx('price', [['price', 'ASC']]);
const CATEGORY = idx('category', [['category', 'ASC']]);
const CAT_PRICE = idx('catPrice', [
  ['category', 'ASC'],
  ['price', 'DESC'],
]);
const CAT_NAME = idx('catName', [
  ['category', 'ASC'],
  ['name', 'ASC'],
]);
const NAME_CI = idx('nameCi', [['name', 'ASC']], { caseInsensitive: true });
const BUILDING = idx('building', [['category', 'ASC']], { status: 'BUILDING' });
const DROPPING = idx('dropping', [['price', 'ASC']], { status: 'DROPPING' });
const FAILED = idx('failed', [['category', 'ASC']], { status: 'FAILED' });
const ALL = [BUILDING, DROPPING, FAILED, PRICE, CATEGORY, CAT_NAME, CAT_PRICE, NAME_CI];

/** Indexes whose keys end with `_id` (created from the ID_SUFFIX_FORMAT on). */
const v2 = (index: IndexRecord): IndexRecord => ({ ...index, keyFormat: ID_SUFFIX_FORMAT });
const CATEGORY2 = v2(idx('category2', [['category', 'ASC']]));
const CAT_PRICE2 = v2(CAT_PRICE);
const NAME_CI2 = v2(idx('nameCi2', [['name', 'ASC']], { caseInsensitive: true }));

const asc = (field: string): SortKey => ({ field, desc: false });
const desc = (field: string): SortKey => ({ field, desc: true });

/** [case, indexes, filter, sort, wantTotal, chosen index name or undefined for the base table] */
const CASES: [string, IndexRecord[], unknown, SortKey[], boolean, string | undefined][] = [
  ['no index bounds or orders anything', ALL, { other: 1 }, [], false, undefined],
  ['a sort on an index field reads it in order', ALL, {}, [asc('price')], false, 'price'],
  [
    'between two indexes serving the sort, the one whose read gives the _id tie-break',
    [v2(PRICE), v2(idx('priceDesc', [['price', 'DESC']]))],
    {},
    [desc('price')],
    false,
    'priceDesc',
  ],
  [
    'the _id tie-break comes after the bound fields',
    [v2(idx('priceDesc', [['price', 'DESC']])), CAT_PRICE2],
    { category: 'x' },
    [asc('price')],
    false,
    'catPrice',
  ],
  ['the reversed order reads it backwards', ALL, {}, [desc('price')], false, 'price'],
  ['an order no index has', ALL, {}, [asc('weight')], false, undefined],
  ['an equality on the first field', ALL, { category: 'x' }, [], false, 'category'],
  ['more equalities beat fewer', ALL, { category: 'x', name: 'n' }, [], false, 'catName'],
  [
    'equality then a range beats the equality alone',
    ALL,
    { category: 'x', price: { $gt: 5 } },
    [],
    false,
    'catPrice',
  ],
  ['a range beats nothing', ALL, { price: { $gt: 990 } }, [], false, 'price'],
  ['sort after the fixed field is served', ALL, { category: 'x' }, [desc('price')], false, 'catPrice'],
  ['and reversed', ALL, { category: 'x' }, [asc('price')], false, 'catPrice'],
  ['sort-serving beats filter-only without a total', ALL, { category: 'x' }, [asc('name')], false, 'catName'],
  [
    'sort-serving with nothing bound beats an equality without a total',
    [PRICE, CATEGORY],
    { category: 'x' },
    [asc('price')],
    false,
    'price',
  ],
  [
    'with a total, bound fields come first',
    [PRICE, CATEGORY],
    { category: 'x' },
    [asc('price')],
    true,
    'category',
  ],
  [
    'with a total, an index that bounds nothing is no better than the base table',
    ALL,
    {},
    [asc('price')],
    true,
    undefined,
  ],
  [
    'with a total, equal bounds: the sort-serving one',
    ALL,
    { category: 'x' },
    [desc('price')],
    true,
    'catPrice',
  ],
  ['ties go to the index created first', [CAT_NAME, CATEGORY], { category: 'x' }, [], false, 'catName'],
  ['a contradiction wins (nothing is read)', ALL, { category: 'x', price: { $in: [] } }, [], false, 'price'],
  [
    'BUILDING, DROPPING and FAILED indexes are never used',
    [BUILDING, DROPPING, FAILED],
    { category: 'x', price: 1 },
    [asc('price')],
    false,
    undefined,
  ],
  [
    '_id order on a category: the _id-suffixed index serves it, the older one only bounds it',
    [CATEGORY, CATEGORY2],
    { category: 'x' },
    [],
    false,
    'category2',
  ],
  [
    'and reading backwards for _id DESC',
    [CATEGORY, CATEGORY2],
    { category: 'x' },
    [desc('_id')],
    false,
    'category2',
  ],
  [
    'with a total, equal bounds: the _id-suffixed one serves the page too',
    [CATEGORY, CATEGORY2],
    { category: 'x' },
    [],
    true,
    'category2',
  ],
  ['a caseInsensitive index bounds a prefix', ALL, { name: { $startsWith: 'ab' } }, [], false, 'nameCi'],
  ['but never serves a sort', [NAME_CI], {}, [asc('name')], false, undefined],
  [
    'a caseInsensitive index cannot bound a string range',
    [NAME_CI],
    { name: { $gt: 'a' } },
    [],
    false,
    undefined,
  ],
  [
    'an $or is left to the base table',
    ALL,
    { $or: [{ category: 'x' }, { category: 'y' }] },
    [],
    false,
    undefined,
  ],
];

describe('choosing an index', () => {
  it.each(CASES)('%s', (_, indexes, filter, sort, wantTotal, expected) => {
    const node = parseFilter(filter);
    const chosen = chooseIndex(indexCandidates(indexes, node, effectiveSort(sort)), { wantTotal });
    expect(chosen?.index.name).toBe(expected);
  });

  it('keeps the base table past the in-memory offset cap unless the index serves the sort', () => {
    const node = parseFilter({ price: { $gt: 5 } });
    const opts = { wantTotal: false, maxSortedOffset: 100 };
    const byId = indexCandidates([PRICE], node, effectiveSort([]));
    expect(chooseIndex(byId, { ...opts, skip: 100 })?.index.name).toBe('price');
    expect(chooseIndex(byId, { ...opts, skip: 101 })).toBeUndefined();
    const byPrice = indexCandidates([PRICE], node, effectiveSort([asc('price')]));
    expect(chooseIndex(byPrice, { ...opts, skip: 5000 })?.index.name).toBe('price');
  });

  it.each([
    [{ _id: 'a' }, true],
    [{ _id: { $in: ['a'] } }, true],
    [{ _id: { $startsWith: 'a' }, category: 'x' }, true],
    [{ _id: { $gt: 'a' } }, true],
    [{ _id: { $contains: 'a' }, category: 'x' }, false],
    [{ category: 'x' }, false],
  ])('an _id key read (%j: %s) beats every index', (filter, expected) => {
    expect(boundsId(parseFilter(filter))).toBe(expected);
  });
});

describe('serving a sort', () => {
  const F = { descending: false, merge: false };
  const R = { descending: true, merge: false };
  it.each([
    [CAT_PRICE, 0, false, [asc('category'), desc('price')], F],
    [CAT_PRICE, 0, false, [desc('category'), asc('price')], R],
    [CAT_PRICE, 0, false, [desc('price')], undefined], // category not fixed
    [CAT_PRICE, 1, false, [desc('price')], F],
    [CAT_PRICE, 1, false, [asc('category'), desc('price')], F],
    [CAT_PRICE, 1, false, [asc('category')], undefined], // the order within a category is by price, not _id
    [CAT_PRICE, 2, false, [], undefined], // every key equal: the _id order is not the key order
    [CAT_PRICE, 1, false, [asc('category'), asc('price')], undefined], // mixed directions
    [CAT_PRICE, 0, true, [desc('price')], { descending: false, merge: true }], // category $in [...]
    [CAT_PRICE, 0, true, [asc('price')], { descending: true, merge: true }],
    [CAT_PRICE, 0, true, [asc('category'), desc('price')], F], // the values' intervals in turn
    // keys ending with _id: every field fixed serves the _id order, forwards or backwards
    [CAT_PRICE2, 2, false, [], F],
    [CAT_PRICE2, 2, false, [desc('_id')], R],
    [CAT_PRICE2, 1, false, [], undefined], // price not fixed: the keys are in price order
    [CAT_PRICE2, 1, true, [], undefined], // price $in [...]: kept to equalities on every field
    [CATEGORY2, 1, false, [], F],
    [CATEGORY2, 0, false, [], undefined],
    [NAME_CI2, 1, false, [], F], // a folded equality: every key read has the same fields part
    [NAME_CI2, 1, false, [asc('name')], undefined], // folded keys never serve a field order
    [CAT_PRICE2, 1, false, [desc('price')], F],
    [CAT_PRICE2, 1, false, [asc('price')], R],
  ] as const)('%#', (index, equalities, points, sort, expected) => {
    expect(sortOrder(index, equalities, effectiveSort(sort), points)).toEqual(expected);
  });

  it.each([
    ['fields-only keys never give the _id order', CAT_PRICE, [desc('price')], false, false],
    ['_id-suffixed keys read forwards give _id ASC', CAT_PRICE2, [desc('price')], false, true],
    ['read backwards they give _id DESC, not the ASC tie-break', CAT_PRICE2, [asc('price')], true, false],
    ['read backwards for an explicit _id DESC', CAT_PRICE2, [asc('price'), desc('_id')], true, true],
    ['an _id DESC sort read forwards', CAT_PRICE2, [desc('price'), desc('_id')], false, false],
    ['_id alone, backwards', CATEGORY2, [desc('_id')], true, true],
  ] as const)('reads the _id tie-break in order: %s', (_, index, sort, descending, expected) => {
    expect(readsIdOrder(index, effectiveSort(sort), descending)).toBe(expected);
  });

  it('merges $in values only when each is one whole value', () => {
    const sort = effectiveSort([desc('price')]);
    const merged = indexCandidates([CAT_PRICE], parseFilter({ category: { $in: ['a', 'b'] } }), sort);
    expect(merged[0]?.order).toEqual({ descending: false, merge: true });
    const prefix = indexCandidates([CAT_PRICE], parseFilter({ category: { $startsWith: '1' } }), sort);
    expect(prefix[0]?.order).toBeUndefined();
  });
});
