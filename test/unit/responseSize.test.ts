/** Lambda's response limit (6,291,556 bytes for the whole serialised response) is checked by the adaptor. */
import { signV3Request } from '../../bin/local/signer';
import { dispatch } from '../../lambda/protocol/dispatch';
import { MAX_RESPONSE_BYTES } from '../../lambda/protocol/http';
import { matchRoute } from '../../lambda/routes';
import { testDeps } from '../helpers/adaptor';
import { wixKeys } from '../helpers/keys';

const deps = testDeps();

async function answer(items: unknown[]) {
  const path = '/v3/items/query';
  const body = await signV3Request(
    { collectionId: 'big' },
    { privateKeyPem: wixKeys().privateKeyPem, instanceId: 't', appId: deps.config.wixAppId },
  );
  const op = { v3: async () => ({ items, pagingMetadata: { count: items.length } }) };
  return dispatch(matchRoute(path), op, { method: 'POST', path, headers: {}, body }, deps);
}

describe('the response size rule', () => {
  it.each([
    [
      '20 items of 330 KB',
      Array.from({ length: 20 }, (_, i) => ({ _id: String(i), text: 'x'.repeat(330_000) })),
    ],
    // Under the limit as JSON, over it once Lambda escapes the body's quotes.
    [
      'a body of quotes',
      Array.from({ length: 10 }, (_, i) => ({ _id: String(i), text: '"'.repeat(400_000) })),
    ],
  ])('answers 400 RESPONSE_TOO_LARGE naming the limit for %s', async (_name, items) => {
    const res = await answer(items);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.errorCode).toBe('RESPONSE_TOO_LARGE');
    expect(body.errorMessage).toContain(String(MAX_RESPONSE_BYTES));
    expect(body.errorMessage).toContain('limit');
  });

  it('answers a response just under the limit', async () => {
    const res = await answer(
      Array.from({ length: 18 }, (_, i) => ({ _id: String(i), text: 'x'.repeat(330_000) })),
    );
    expect(res.statusCode).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });
});
