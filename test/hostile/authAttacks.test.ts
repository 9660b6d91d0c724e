/**
 * Issue 7, part 2: authentication attacks, end to end over HTTP against the local server with real
 * JWT verification and an app id configured (WIX_APP_ID). Every attack carries a real request for
 * data that exists (tenant A's and tenant B's items carry markers), so a bypass would show as data:
 * each attack must be a 401 (400 for the cursor cases) with a JSON error code and never data.
 *
 * The verifier's own unit tests (test/unit/auth.test.ts) cover the verifier in isolation; these go
 * through the whole pipeline (HTTP, dispatch, envelope, handler, DynamoDB Local).
 */
import { createHash, createPublicKey, generateKeyPairSync, createHmac, randomUUID, sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { testDeps } from '../helpers/adaptor';
import { sendRaw, startTestServer, type RawResponse, type TestServer } from '../helpers/httpServer';
import { newKeyPair, wixKeys } from '../helpers/keys';
import { b64url, jws, nowSeconds } from './jwt';

jest.setTimeout(60_000);

const APP = `app-${randomUUID()}`;
const OTHER_APP = `app-${randomUUID()}`;
const TENANT_A = `tenant-a-${randomUUID()}`;
const TENANT_B = `tenant-b-${randomUUID()}`;
const MARK_A = `A-MARKER-${randomUUID()}`;
const MARK_B = `B-MARKER-${randomUUID()}`;
const COLLECTION = 'shared';
const OTHER_COLLECTION = 'shared-2';
const attacker = newKeyPair();

/** Standard deployment: app id enforced, default clock skew (60 s). */
let server: TestServer;
/** Same keys, no clock skew: for replay and nbf, so that expiry is observable in seconds. */
let strict: TestServer;

interface TokenOptions {
  tenant?: string;
  request?: unknown;
  /** Raw request JSON text (overrides `request`). */
  requestText?: string;
  header?: Record<string, unknown> | string;
  /** Merged over {iss: wix.com, aud: APP, iat: now, exp: now + 300}; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Signing key; null = no signature. Default: the key the adaptor trusts. */
  key?: string | null;
}

function token(o: TokenOptions = {}): string {
  const t = nowSeconds();
  const claims: Record<string, unknown> = { iss: 'wix.com', aud: APP, iat: t, exp: t + 300, ...o.claims };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  const metadata = {
    requestId: randomUUID(),
    instanceId: o.tenant ?? TENANT_A,
    identity: { identityType: 'WIX_USER', wixUserId: 'u' },
  };
  const request = o.requestText ?? JSON.stringify(o.request ?? readA());
  const payload = `{"data":{"request":${request},"metadata":${JSON.stringify(metadata)}},${JSON.stringify(claims).slice(1)}`;
  return jws(
    o.header ?? { alg: 'RS256', typ: 'JWT' },
    payload,
    o.key === undefined ? wixKeys().privateKeyPem : o.key,
  );
}

function readA(): unknown {
  return { collectionId: COLLECTION, query: { filter: {} }, returnTotalCount: true };
}

async function post(
  body: string | Buffer,
  path = '/v3/items/query',
  srv: TestServer = server,
): Promise<RawResponse> {
  return sendRaw(srv.port, { path, body });
}

async function call(
  request: unknown,
  o: TokenOptions & { path?: string; srv?: TestServer } = {},
): Promise<RawResponse> {
  return post(token({ ...o, request }), o.path ?? '/v3/items/query', o.srv ?? server);
}

/** 401 with the UNAUTHORIZED code (and the given reason), and no data whatsoever. */
function expectRejected(res: RawResponse, reason?: string | RegExp, status = 401): void {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  expect({ where, status: res.status }).toEqual({ where, status });
  const body = res.json as Record<string, any>;
  expect({ where, isObject: typeof body === 'object' && body !== null && !Array.isArray(body) }).toEqual({
    where,
    isObject: true,
  });
  expect({ where, errorCode: typeof body.errorCode }).toEqual({ where, errorCode: 'string' });
  if (status === 401) expect(body.errorCode).toBe('UNAUTHORIZED');
  if (reason !== undefined)
    expect({ where, reason: body.data?.reason }).toEqual({
      where,
      reason: reason instanceof RegExp ? expect.stringMatching(reason) : reason,
    });
  expectNoData(res);
}

function expectNoData(res: RawResponse): void {
  const body = res.json as Record<string, unknown>;
  expect(body).not.toHaveProperty('items');
  expect(body).not.toHaveProperty('results');
  expect(body).not.toHaveProperty('collections');
  expect(res.text).not.toContain(MARK_A);
  expect(res.text).not.toContain(MARK_B);
}

function itemsOf(res: RawResponse): { _id: string; mark: string }[] {
  return (res.json as { items: { _id: string; mark: string }[] }).items;
}

beforeAll(async () => {
  const deps = testDeps({ WIX_APP_ID: APP });
  server = await startTestServer(deps);
  strict = await startTestServer(
    testDeps({ WIX_APP_ID: APP, JWT_CLOCK_TOLERANCE_SECONDS: '0', CURSOR_SECRET: 'strict-cursor-secret' }),
  );
  for (const [tenant, mark] of [
    [TENANT_A, MARK_A],
    [TENANT_B, MARK_B],
  ] as const) {
    for (const id of [COLLECTION, OTHER_COLLECTION]) {
      const created = await call(
        {
          collection: {
            id,
            fields: [
              { key: 'mark', type: 'TEXT' },
              { key: 'n', type: 'NUMBER' },
              {
                key: 'refs',
                type: 'MULTI_REFERENCE',
                multiReferenceOptions: { referencedCollectionId: OTHER_COLLECTION },
              },
            ],
          },
        },
        { tenant, path: '/v3/collections/create' },
      );
      expect(created.status).toBe(200);
      const inserted = await call(
        { collectionId: id, items: Array.from({ length: 6 }, (_, i) => ({ _id: `i${i}`, mark, n: i })) },
        { tenant, path: '/v3/items/insert' },
      );
      expect(inserted.status).toBe(200);
    }
    const refs = await call(
      {
        collectionId: COLLECTION,
        referringFieldKey: 'refs',
        references: [0, 1, 2, 3].map((i) => ({ referringItemId: `i${i}`, referencedItemId: `i${i}` })),
      },
      { tenant, path: '/v3/items/insert-references' },
    );
    expect(refs.status).toBe(200);
  }
});

afterAll(async () => {
  await server?.close();
  await strict?.close();
});

describe('control: a correct token reads its own tenant only', () => {
  it('tenant A reads A, tenant B reads B', async () => {
    const a = await call(readA());
    expect(a.status).toBe(200);
    expect(itemsOf(a).map((i) => i.mark)).toEqual(Array(6).fill(MARK_A));
    const b = await call(readA(), { tenant: TENANT_B });
    expect(itemsOf(b).map((i) => i.mark)).toEqual(Array(6).fill(MARK_B));
  });
});

describe('the skeleton list, end to end (never data)', () => {
  it.each([
    ['an empty body', () => '', 'MISSING_TOKEN'],
    ['a garbled body', () => 'eyJ!!garbage!!', 'MALFORMED_TOKEN'],
    ['JSON instead of a JWT', () => JSON.stringify(readA()), 'MALFORMED_TOKEN'],
    ['a token signed by another key', () => token({ key: attacker.privateKeyPem }), 'INVALID_SIGNATURE'],
    ['a wrong issuer', () => token({ claims: { iss: 'evil.com' } }), 'INVALID_ISSUER'],
    ['no issuer', () => token({ claims: { iss: undefined } }), 'INVALID_ISSUER'],
    ['a wrong audience', () => token({ claims: { aud: OTHER_APP } }), 'INVALID_AUDIENCE'],
    [
      'an expired token',
      () => token({ claims: { iat: nowSeconds() - 600, exp: nowSeconds() - 120 } }),
      'TOKEN_EXPIRED',
    ],
    ['no exp', () => token({ claims: { exp: undefined } }), 'MISSING_EXPIRY'],
    ['alg none', () => token({ header: { alg: 'none', typ: 'JWT' }, key: null }), 'UNSUPPORTED_ALGORITHM'],
    [
      'HS256 signed with the public key as the HMAC secret',
      () => {
        const [h, p] = token({ header: { alg: 'HS256', typ: 'JWT' }, key: null }).split('.');
        const sig = createHmac('sha256', wixKeys().publicKeyPem).update(`${h}.${p}`).digest('base64url');
        return `${h}.${p}.${sig}`;
      },
      'UNSUPPORTED_ALGORITHM',
    ],
    [
      "a tampered payload (tenant A's signature, tenant B's instanceId)",
      () => {
        const [h, , s] = token().split('.');
        const [, p] = token({ tenant: TENANT_B, key: null }).split('.');
        return `${h}.${p}.${s}`;
      },
      'INVALID_SIGNATURE',
    ],
  ])('rejects %s', async (_name, body, reason) => {
    expectRejected(await post(body()), reason);
  });
});

describe('replayed tokens past exp', () => {
  it('a token that worked is refused once expired (no clock skew configured), for reads and writes', async () => {
    const t = nowSeconds();
    const read = token({ claims: { iat: t, exp: t + 2 } });
    const write = token({
      request: { collectionId: COLLECTION, items: [{ _id: `replay-${t}`, mark: 'replayed' }] },
      claims: { iat: t, exp: t + 2 },
    });
    const first = await post(read, '/v3/items/query', strict);
    expect(first.status).toBe(200);
    expect(itemsOf(first)).toHaveLength(6);
    const firstWrite = await post(write, '/v3/items/insert', strict);
    expect(firstWrite.status).toBe(200);
    await new Promise((r) => setTimeout(r, (t + 3 - Date.now() / 1000) * 1000 + 50));
    expectRejected(await post(read, '/v3/items/query', strict), 'TOKEN_EXPIRED');
    expectRejected(await post(write, '/v3/items/insert', strict), 'TOKEN_EXPIRED');
    // the replayed write wrote nothing more
    const after = await call({ collectionId: COLLECTION, query: { filter: { mark: 'replayed' } } });
    expect(itemsOf(after)).toHaveLength(1);
  });

  it('a token expired beyond the allowed skew is refused by the default deployment too', async () => {
    const t = nowSeconds();
    expectRejected(await post(token({ claims: { iat: t - 400, exp: t - 61 } })), 'TOKEN_EXPIRED');
    expectRejected(await post(token({ claims: { iat: t - 86_400, exp: t - 86_100 } })), 'TOKEN_EXPIRED');
  });
});

describe('kid confusion and keys carried in the header', () => {
  const attackerJwk = createPublicKey(attacker.publicKeyPem).export({ format: 'jwk' });
  const wixJwk = createPublicKey(wixKeys().publicKeyPem).export({ format: 'jwk' });
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ e: wixJwk.e, kty: wixJwk.kty, n: wixJwk.n }))
    .digest('base64url');
  const attackerDer = createPublicKey(attacker.publicKeyPem)
    .export({ format: 'der', type: 'spki' })
    .toString('base64');

  it.each([
    ['kid naming the Wix key (its thumbprint)', { kid: thumbprint }],
    ['kid "wix"', { kid: 'wix' }],
    ['kid with path traversal', { kid: '../../../../../dev/null' }],
    ['kid with SQL', { kid: "' OR '1'='1" }],
    ['kid of 10 KB', { kid: 'k'.repeat(10_240) }],
    ['kid as an object', { kid: { $ne: null } }],
    ['jwk: the attacker key embedded', { jwk: attackerJwk }],
    ["jwk: the Wix public key embedded (signature still the attacker's)", { jwk: wixJwk }],
    ['jku pointing at an attacker JWKS', { jku: 'https://attacker.example/jwks.json', kid: 'attacker' }],
    ['x5u pointing at an attacker certificate', { x5u: 'https://attacker.example/cert.pem' }],
    ['x5c carrying the attacker key', { x5c: [attackerDer] }],
  ])('refuses a token signed by an attacker key with %s', async (_name, extra) => {
    const header = { alg: 'RS256', typ: 'JWT', ...extra };
    expectRejected(await post(token({ header, key: attacker.privateKeyPem })), 'INVALID_SIGNATURE');
  });

  it('ignores kid/jwk on a token signed with the right key (no key is chosen from the header)', async () => {
    // The right key with a misleading kid still verifies: kid selects nothing, so it cannot select an attacker key either.
    const res = await post(token({ header: { alg: 'RS256', kid: 'attacker', jwk: attackerJwk } }));
    expect(res.status).toBe(200);
    // unknown, non-critical header parameters are ignored (RFC 7515 4): the signature is what counts
    expect(
      (
        await post(
          token({ header: { alg: 'RS256', zip: 'DEF', enc: 'A256GCM', jku: 'https://attacker.example' } }),
        )
      ).status,
    ).toBe(200);
  });
});

describe('a key that is valid for another app id', () => {
  it.each([
    ['aud of another app', { aud: OTHER_APP }],
    ['aud missing', { aud: undefined }],
    ['aud empty', { aud: '' }],
    ['aud upper-cased', { aud: APP.toUpperCase() }],
    ['aud with a trailing space', { aud: `${APP} ` }],
    ['aud a prefix of the app id', { aud: APP.slice(0, -1) }],
    ['aud an array of other apps', { aud: [OTHER_APP, 'wix'] }],
    ['aud an object', { aud: { app: APP } }],
  ])('refuses the right key with %s', async (_name, claims) => {
    expectRejected(await post(token({ claims })), /INVALID_AUDIENCE|INVALID_PAYLOAD|MALFORMED_TOKEN/);
  });

  it('refuses the canonical case exactly as INVALID_AUDIENCE', async () => {
    expectRejected(await post(token({ claims: { aud: OTHER_APP } })), 'INVALID_AUDIENCE');
  });

  it('accepts an aud array that names this app (RFC 7519 4.1.3), as pinned behaviour', async () => {
    expect((await post(token({ claims: { aud: [OTHER_APP, APP] } }))).status).toBe(200);
  });
});

describe('iss variants', () => {
  it.each([
    ['Wix.com'],
    ['WIX.COM'],
    ['wix.com.evil'],
    ['evil.wix.com'],
    ['wix.com '],
    [' wix.com'],
    ['https://wix.com'],
    ['wix.co'],
    [''],
    [['wix.com']],
    [null],
    [5],
  ])('refuses iss %p', async (iss) => {
    expectRejected(await post(token({ claims: { iss } })), 'INVALID_ISSUER');
  });
});

describe('exp, iat and nbf of the wrong kind or in the future', () => {
  const t = () => nowSeconds();
  it.each([
    ['exp as a string far in the future', () => ({ exp: '9999999999' }), 'MISSING_EXPIRY'],
    ['exp as a numeric string in 5 minutes', () => ({ exp: String(t() + 300) }), 'MISSING_EXPIRY'],
    ['exp null', () => ({ exp: null }), 'MISSING_EXPIRY'],
    ['exp true', () => ({ exp: true }), 'MISSING_EXPIRY'],
    ['exp an array', () => ({ exp: [t() + 300] }), 'MISSING_EXPIRY'],
    ['exp an object', () => ({ exp: { $gt: 0 } }), 'MISSING_EXPIRY'],
    ['exp 1e308', () => ({ exp: 1e308 }), 'TOKEN_TOO_LONG_LIVED'],
    ['exp negative', () => ({ exp: -1 }), 'TOKEN_EXPIRED'],
    ['exp in milliseconds (too long-lived)', () => ({ exp: Date.now() + 300_000 }), 'TOKEN_TOO_LONG_LIVED'],
    ['iat as a string', () => ({ iat: String(t()) }), /TOKEN_NOT_YET_VALID|INVALID_PAYLOAD/],
    ['iat in the future', () => ({ iat: t() + 600, exp: t() + 900 }), 'TOKEN_NOT_YET_VALID'],
    ['nbf 10 minutes in the future', () => ({ nbf: t() + 600 }), 'TOKEN_NOT_YET_VALID'],
    ['nbf as a string', () => ({ nbf: String(t() - 10) }), 'TOKEN_NOT_YET_VALID'],
    ['nbf an object', () => ({ nbf: {} }), 'TOKEN_NOT_YET_VALID'],
  ])('refuses %s', async (_name, claims, reason) => {
    expectRejected(await post(token({ claims: claims() })), reason);
  });

  it('refuses nbf just past the clock (no skew configured)', async () => {
    expectRejected(
      await post(token({ claims: { nbf: nowSeconds() + 5 } }), '/v3/items/query', strict),
      'TOKEN_NOT_YET_VALID',
    );
  });
});

describe('crit and other header extensions, signed with the right key', () => {
  it.each([
    ['crit naming an unknown extension', { alg: 'RS256', crit: ['x-wix-ext'], 'x-wix-ext': true }],
    ['crit naming a registered claim', { alg: 'RS256', crit: ['exp'] }],
    ['crit naming a parameter that is absent', { alg: 'RS256', crit: ['x-missing'] }],
    ['crit empty', { alg: 'RS256', crit: [] }],
    ['crit a string', { alg: 'RS256', crit: 'x-wix-ext', 'x-wix-ext': 1 }],
  ])('refuses %s', async (_name, header) => {
    expectRejected(await post(token({ header })));
  });

  it('refuses b64:false (an unencoded payload) even when crit lists b64', async () => {
    const t = nowSeconds();
    const header = b64url(JSON.stringify({ alg: 'RS256', b64: false, crit: ['b64'] }));
    const payload = JSON.stringify({
      data: { request: readA(), metadata: { instanceId: TENANT_A } },
      iss: 'wix.com',
      aud: APP,
      iat: t,
      exp: t + 300,
    });
    const sig = sign(
      'sha256',
      Buffer.concat([Buffer.from(`${header}.`), Buffer.from(payload)]),
      wixKeys().privateKeyPem,
    ).toString('base64url');
    expectRejected(await post(`${header}.${b64url(payload)}.${sig}`));
    expectRejected(await post(`${header}..${sig}`));
  });

  it('refuses a nested JWT (cty: JWT) whose payload is a token, not claims', async () => {
    const inner = token();
    expectRejected(await post(jws({ alg: 'RS256', cty: 'JWT' }, inner, wixKeys().privateKeyPem)));
  });

  it.each([['rs256'], ['RS256 '], ['RS384'], ['ES256'], ['EdDSA'], ['NONE'], ['']])(
    'refuses alg %p even with an RS256 signature',
    async (alg) => {
      expectRejected(await post(token({ header: { alg } })), 'UNSUPPORTED_ALGORITHM');
    },
  );

  it('refuses duplicated alg keys whose last value is none', async () => {
    const res = await post(token({ header: '{"alg":"RS256","alg":"none"}' }));
    expectRejected(res, 'UNSUPPORTED_ALGORITHM');
  });
});

describe('signature and segment mangling', () => {
  it.each([
    ['an empty signature segment', (h: string, p: string) => `${h}.${p}.`],
    ['a signature of four As', (h: string, p: string) => `${h}.${p}.AAAA`],
    [
      'a signature of 256 zero bytes',
      (h: string, p: string) => `${h}.${p}.${Buffer.alloc(256).toString('base64url')}`,
    ],
    [
      'the signature of another valid token',
      (h: string, p: string) => `${h}.${p}.${token({ tenant: TENANT_B }).split('.')[2]}`,
    ],
    [
      'the signature truncated by one byte',
      (h: string, p: string, s: string) =>
        `${h}.${p}.${Buffer.from(s, 'base64url').subarray(1).toString('base64url')}`,
    ],
  ])('refuses %s', async (_name, build) => {
    const [h, p, s] = token().split('.') as [string, string, string];
    expectRejected(await post(build(h, p, s)), 'INVALID_SIGNATURE');
  });

  it.each([
    ['h..p.s', (h: string, p: string, s: string) => `${h}..${p}.${s}`],
    ['h.p..s', (h: string, p: string, s: string) => `${h}.${p}..${s}`],
    ['h.p.s.', (h: string, p: string, s: string) => `${h}.${p}.${s}.`],
    ['.h.p.s', (h: string, p: string, s: string) => `.${h}.${p}.${s}`],
    ['h.p.s.s (four segments)', (h: string, p: string, s: string) => `${h}.${p}.${s}.${s}`],
    ['h..p..s', (h: string, p: string, s: string) => `${h}..${p}..${s}`],
    ['five segments (JWE shape)', (h: string, p: string, s: string) => `${h}.${p}.${s}.${p}.${s}`],
    ['h.p.s.h.p.s (two tokens joined)', (h: string, p: string, s: string) => `${h}.${p}.${s}.${h}.${p}.${s}`],
    ['h.p (two segments)', (h: string, p: string) => `${h}.${p}`],
    [
      'h.p.s with a dot inside the payload',
      (h: string, p: string, s: string) => `${h}.${p.slice(0, 10)}.${p.slice(10)}.${s}`,
    ],
  ])('refuses duplicated or missing dots: %s', async (_name, build) => {
    const [h, p, s] = token().split('.') as [string, string, string];
    expectRejected(await post(build(h, p, s)), 'MALFORMED_TOKEN');
  });
});

describe("a token for tenant A carrying a cursor minted for tenant B (400, never B's data)", () => {
  async function mintB(path: string, request: Record<string, unknown>): Promise<string> {
    const res = await call(request, { tenant: TENANT_B, path });
    expect(res.status).toBe(200);
    const next = (res.json as { pagingMetadata: { cursors: { next: string | null } } }).pagingMetadata.cursors
      .next;
    expect(typeof next).toBe('string');
    return next!;
  }
  function expectCursorRefused(res: RawResponse): void {
    const where = `${res.status} ${res.text.slice(0, 300)}`;
    expect({ where, status: res.status }).toEqual({ where, status: 400 });
    expect((res.json as { errorCode: string }).errorCode).toBe('VALIDATION_ERROR');
    expect(res.text).toMatch(/cursor/i);
    expectNoData(res);
  }

  it('items/query: B mints, B can continue, A is refused', async () => {
    const cursor = await mintB('/v3/items/query', {
      collectionId: COLLECTION,
      query: { sort: [{ fieldName: 'n' }], cursorPaging: { limit: 2 } },
    });
    const asB = await call(
      { collectionId: COLLECTION, query: { cursorPaging: { cursor } } },
      { tenant: TENANT_B },
    );
    expect(asB.status).toBe(200);
    expect(itemsOf(asB).map((i) => i.mark)).toEqual([MARK_B, MARK_B]);
    expectCursorRefused(await call({ collectionId: COLLECTION, query: { cursorPaging: { cursor } } }));
    expectCursorRefused(
      await call({
        collectionId: COLLECTION,
        query: { cursorPaging: { cursor, limit: 1000 } },
        returnTotalCount: true,
      }),
    );
  });

  it('items/aggregate, query-distinct-values and query-referenced cursors of B are refused for A', async () => {
    const agg = await mintB('/v3/items/aggregate', {
      collectionId: COLLECTION,
      aggregation: { groupingFields: ['n'], operations: [{ resultFieldName: 'c', itemCount: {} }] },
      cursorPaging: { limit: 2 },
    });
    expectCursorRefused(
      await call(
        { collectionId: COLLECTION, cursorPaging: { cursor: agg } },
        { path: '/v3/items/aggregate' },
      ),
    );
    const distinct = await mintB('/v3/items/query-distinct-values', {
      collectionId: COLLECTION,
      fieldName: 'n',
      cursorPaging: { limit: 2 },
    });
    expectCursorRefused(
      await call(
        { collectionId: COLLECTION, fieldName: 'n', cursorPaging: { cursor: distinct } },
        { path: '/v3/items/query-distinct-values' },
      ),
    );
    const referenced = await mintB('/v3/items/query-referenced', {
      collectionId: COLLECTION,
      referringFieldKey: 'refs',
      includeReferencedItems: true,
      cursorPaging: { limit: 1 },
    });
    expectCursorRefused(
      await call(
        {
          collectionId: COLLECTION,
          referringFieldKey: 'refs',
          includeReferencedItems: true,
          cursorPaging: { cursor: referenced },
        },
        { path: '/v3/items/query-referenced' },
      ),
    );
  });

  it("refuses B's cursor body under A's signature, and a cursor re-signed without the secret", async () => {
    const cursorB = await mintB('/v3/items/query', {
      collectionId: COLLECTION,
      query: { cursorPaging: { limit: 2 } },
    });
    const cursorA = await (async () => {
      const res = await call({ collectionId: COLLECTION, query: { cursorPaging: { limit: 2 } } });
      return (res.json as any).pagingMetadata.cursors.next as string;
    })();
    const [bodyB] = cursorB.split('.');
    const [, macA] = cursorA.split('.');
    expectCursorRefused(
      await call({ collectionId: COLLECTION, query: { cursorPaging: { cursor: `${bodyB}.${macA}` } } }),
    );
    // a forged state: "page 2 of everything", with a MAC guessed by HMAC-ing with an empty secret
    const forged = deflateRawSync(
      Buffer.from(JSON.stringify({ c: COLLECTION, g: 'x', f: {}, s: [], l: 1000, a: [] })),
    ).toString('base64url');
    const mac = createHmac('sha256', '')
      .update(`v1\n${TENANT_A}\n${forged}`)
      .digest()
      .subarray(0, 18)
      .toString('base64url');
    expectCursorRefused(
      await call({ collectionId: COLLECTION, query: { cursorPaging: { cursor: `${forged}.${mac}` } } }),
    );
    expectCursorRefused(
      await call({ collectionId: COLLECTION, query: { cursorPaging: { cursor: `${forged}` } } }),
    );
  });

  it('refuses a cursor of A used on another collection, and one from another deployment (other cursor secret)', async () => {
    const res = await call({ collectionId: COLLECTION, query: { cursorPaging: { limit: 2 } } });
    const cursor = (res.json as any).pagingMetadata.cursors.next as string;
    expectCursorRefused(await call({ collectionId: OTHER_COLLECTION, query: { cursorPaging: { cursor } } }));
    const strictRes = await post(
      token({ request: { collectionId: COLLECTION, query: { cursorPaging: { cursor } } } }),
      '/v3/items/query',
      strict,
    );
    expectCursorRefused(strictRes);
  });
});

describe('tenancy and the allow-list', () => {
  it('refuses a tenant outside ALLOWED_TENANTS with 401 TENANT_NOT_ALLOWED', async () => {
    const limited = await startTestServer(testDeps({ WIX_APP_ID: APP, ALLOWED_TENANTS: TENANT_B }));
    try {
      expectRejected(await post(token(), '/v3/items/query', limited), 'TENANT_NOT_ALLOWED');
      expect((await post(token({ tenant: TENANT_B }), '/v3/items/query', limited)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('a token whose instanceId is B, signed by an attacker key, is refused (the tenant comes only from a verified token)', async () => {
    expectRejected(await post(token({ tenant: TENANT_B, key: attacker.privateKeyPem })), 'INVALID_SIGNATURE');
  });

  it('an attacker who generates a fresh RSA key of the same size is refused', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expectRejected(await post(token({ key: privateKey })), 'INVALID_SIGNATURE');
  });
});
