/** Protocol details where Wix's reference adaptor test-suite decides (issue 11, item 8). */
import { signV3Request } from '../../bin/local/signer';
import { createTestAdaptor, testDeps } from '../helpers/adaptor';
import { wixKeys } from '../helpers/keys';

describe('an empty items list on a missing collection', () => {
  const a = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: 'a-secret-for-protocol-details' }) });
  it.each([
    ['/v3/items/insert', { collectionId: 'no-such-collection', items: [] }],
    ['/v3/items/update', { collectionId: 'no-such-collection', items: [] }],
  ])('%s answers COLLECTION_NOT_FOUND, as a one-item request does', async (path, request) => {
    const res = await a.call(path, request);
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('COLLECTION_NOT_FOUND');
  });

  it.each(['/data/insert/bulk', '/data/update/bulk'])('legacy %s answers 404', async (path) => {
    const res = await a.legacy(path, { collectionName: 'no-such-collection', items: [] });
    expect(res.status).toBe(404);
  });
});

describe('/v3/provision', () => {
  const a = createTestAdaptor();
  it('accepts a signed JWT body as well as plain JSON', async () => {
    const jwt = await signV3Request(
      {},
      { privateKeyPem: wixKeys().privateKeyPem, instanceId: a.tenant, appId: a.deps.config.wixAppId },
    );
    const signed = await a.raw('/v3/provision', jwt);
    const plain = await a.raw('/v3/provision', '{}');
    expect(signed.status).toBe(200);
    expect(signed.body).toEqual(plain.body);
  });

  it('refuses a JWT body that is not signed by a Wix key', async () => {
    const jwt = await signV3Request(
      {},
      { privateKeyPem: (await import('../helpers/keys')).newKeyPair().privateKeyPem },
    );
    expect((await a.raw('/v3/provision', jwt)).status).toBe(401);
  });
});
