/**
 * Lambda's 6 MB response limit on query pages (issue 11 item 3), end to end: in cursor mode a page
 * that would be over it comes back shorter, with a next cursor that continues right after its last
 * item; in offset mode the answer stays a 400 RESPONSE_TOO_LARGE (docs/errors.md says why).
 */
import { answerBytes } from '../../lambda/protocol/fitPage';
import { MAX_RESPONSE_BYTES } from '../../lambda/protocol/http';
import { createTestAdaptor, type TestAdaptor } from '../helpers/adaptor';

const BIG = 40;
const QUOTED = 12;
let a: TestAdaptor;

const big = Array.from({ length: BIG }, (_, i) => ({
  _id: `b${String(i).padStart(2, '0')}`,
  n: (i * 7) % BIG,
  text: 'x'.repeat(330_000),
}));
// Each quote is 2 bytes in the body and 4 once Lambda escapes the body: 1.2 MB per item.
const quoted = Array.from({ length: QUOTED }, (_, i) => ({
  _id: `q${String(i).padStart(2, '0')}`,
  text: '"'.repeat(300_000),
}));

beforeAll(async () => {
  a = createTestAdaptor();
  for (const id of ['big', 'quoted'])
    await a.call('/v3/collections/create', {
      collection: {
        id,
        fields: [
          { key: 'text', type: 'TEXT' },
          { key: 'n', type: 'NUMBER' },
        ],
      },
    });
  // a V3 body is a JWT (4/3 of its JSON): insert in chunks well under the request limit
  for (let i = 0; i < BIG; i += 10)
    expect(
      (await a.call('/v3/items/insert', { collectionId: 'big', items: big.slice(i, i + 10) })).status,
    ).toBe(200);
  for (let i = 0; i < QUOTED; i += 4)
    expect(
      (await a.call('/v3/items/insert', { collectionId: 'quoted', items: quoted.slice(i, i + 4) })).status,
    ).toBe(200);
}, 300_000);

async function walk(collectionId: string, query: Record<string, unknown>, limit: number) {
  const pages: string[][] = [];
  let request: Record<string, unknown> = { ...query, cursorPaging: { limit } };
  for (let n = 0; n < 40; n++) {
    const res = await a.call('/v3/items/query', { collectionId, query: request });
    expect(res.status).toBe(200);
    expect(answerBytes(res.body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(res.body.pagingMetadata.count).toBe(res.body.items.length);
    pages.push(res.body.items.map((i: { _id: string }) => i._id));
    const next = res.body.pagingMetadata.cursors.next;
    if (next === null) return pages;
    request = { cursorPaging: { cursor: next } };
  }
  throw new Error('the cursor never ended');
}

describe('cursor pages stay under the response limit', () => {
  it.each([
    ['_id order', {}, big.map((i) => i._id)],
    [
      'a sort on another field',
      { sort: [{ fieldName: 'n', order: 'DESC' }] },
      [...big].sort((x, y) => y.n - x.n).map((i) => i._id),
    ],
  ])(
    '20 items of 330 KB in %s come back shorter, and the walk loses and repeats nothing',
    async (_name, query, want) => {
      const pages = await walk('big', query, 20);
      expect(pages[0]!.length).toBeLessThan(20);
      expect(pages[0]!.length).toBeGreaterThanOrEqual(17);
      expect(pages.flat()).toEqual(want);
    },
  );

  it('measures the answer as Lambda escapes it (a body of quotes)', async () => {
    const pages = await walk('quoted', {}, QUOTED);
    expect(Math.max(...pages.map((p) => p.length))).toBeLessThanOrEqual(5);
    expect(pages.flat()).toEqual(quoted.map((i) => i._id));
  });

  it('keeps the projection on the pages after a cut', async () => {
    const first = await a.call('/v3/items/query', {
      collectionId: 'big',
      query: { fields: ['n'], cursorPaging: { limit: 30 } },
    });
    expect(first.body.items).toHaveLength(30);
    const second = await a.call('/v3/items/query', {
      collectionId: 'big',
      query: { cursorPaging: { cursor: first.body.pagingMetadata.cursors.next } },
    });
    expect(second.body.items).toHaveLength(10);
    expect(Object.keys(second.body.items[0]).sort()).toEqual(['_id', 'n']);
  });
});

describe('offset pages keep the 400', () => {
  it('answers RESPONSE_TOO_LARGE naming the limit for 20 items of 330 KB', async () => {
    const res = await a.call('/v3/items/query', { collectionId: 'big', query: { paging: { limit: 20 } } });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('RESPONSE_TOO_LARGE');
    expect(res.body.errorMessage).toContain(String(MAX_RESPONSE_BYTES));
  });
});
