import { logger } from '../../lambda/log';
import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { ConfigError, loadConfig, parsePublicKeys } from '../../lambda/config';
import { UnauthorizedError } from '../../lambda/errors';
import { createVerifier, type VerifierOptions } from '../../lambda/protocol/v3/auth';
import { newKeyPair, wixKeys } from '../helpers/keys';

const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const payload = { data: { request: {}, metadata: { instanceId: 'site-1' } } };

async function sign(
  claims: Record<string, unknown>,
  opts: { key?: string; iss?: string | null; aud?: string; exp?: number | null; iat?: number } = {},
): Promise<string> {
  const key = await importPKCS8(opts.key ?? wixKeys().privateKeyPem, 'RS256');
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setIssuedAt(opts.iat ?? now());
  if (opts.iss !== null) jwt.setIssuer(opts.iss ?? 'wix.com');
  if (opts.aud) jwt.setAudience(opts.aud);
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now() + 300);
  return jwt.sign(key);
}

function verifier(overrides: Partial<VerifierOptions> = {}) {
  return createVerifier({
    publicKeys: [wixKeys().publicKeyPem],
    // The audience has its own tests; the others run with the explicit "any audience" choice.
    audience: undefined,
    acceptAnyAudience: true,
    clockToleranceSeconds: 60,
    maxTokenAgeSeconds: 3600,
    ...overrides,
  });
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UnauthorizedError);
    const e = err as UnauthorizedError;
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/^Authorization failed: .{10,}/);
    return e.reason;
  }
  throw new Error('expected the token to be rejected');
}

describe('V3 JWT verification', () => {
  it('accepts a valid Wix token and returns its payload', async () => {
    const out = await verifier()(await sign(payload));
    expect(out.data).toEqual(payload.data);
    expect(out.iss).toBe('wix.com');
  });

  it('accepts the token as a JSON-quoted string and with surrounding whitespace', async () => {
    const token = await sign(payload);
    await expect(verifier()(JSON.stringify(token))).resolves.toMatchObject({ iss: 'wix.com' });
    await expect(verifier()(`\n  ${token}\n`)).resolves.toMatchObject({ iss: 'wix.com' });
  });

  it('accepts any of several configured keys (rotation)', async () => {
    const next = newKeyPair();
    const v = verifier({ publicKeys: [wixKeys().publicKeyPem, next.publicKeyPem] });
    await expect(v(await sign(payload, { key: next.privateKeyPem }))).resolves.toBeTruthy();
    await expect(v(await sign(payload))).resolves.toBeTruthy();
  });

  it('enforces the audience unless accepting any audience was chosen explicitly', async () => {
    const token = await sign(payload, { aud: 'app-1' });
    await expect(verifier()(token)).resolves.toBeTruthy();
    expect(() => verifier({ acceptAnyAudience: false })).toThrow(/WIX_APP_ID/);
    await expect(verifier({ audience: 'app-1' })(token)).resolves.toBeTruthy();
    expect(await reasonOf(verifier({ audience: 'app-2' })(token))).toBe('INVALID_AUDIENCE');
    expect(await reasonOf(verifier({ audience: 'app-1' })(await sign(payload)))).toBe('INVALID_AUDIENCE');
  });

  it.each([
    ['an empty body', '', 'MISSING_TOKEN'],
    ['whitespace only', '   \n', 'MISSING_TOKEN'],
    ['garbage', 'not a token at all', 'MALFORMED_TOKEN'],
    ['JSON instead of a JWT', '{"collectionId":"x"}', 'MALFORMED_TOKEN'],
    ['a JSON array', '[1,2]', 'MALFORMED_TOKEN'],
    ['a broken quoted string', '"abc', 'MALFORMED_TOKEN'],
    ['two segments', 'abc.def', 'MALFORMED_TOKEN'],
    ['a header that is not JSON', `${b64url('nope')}.${b64url({})}.sig`, 'MALFORMED_TOKEN'],
  ])('rejects %s', async (_label, body, reason) => {
    expect(await reasonOf(verifier()(body))).toBe(reason);
  });

  it('rejects a token signed by another key', async () => {
    const other = newKeyPair();
    expect(await reasonOf(verifier()(await sign(payload, { key: other.privateKeyPem })))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('rejects a wrong issuer and a missing issuer', async () => {
    expect(await reasonOf(verifier()(await sign(payload, { iss: 'evil.com' })))).toBe('INVALID_ISSUER');
    expect(await reasonOf(verifier()(await sign(payload, { iss: null })))).toBe('INVALID_ISSUER');
  });

  it('rejects an expired token, allowing only the configured clock skew', async () => {
    expect(await reasonOf(verifier()(await sign(payload, { exp: now() - 120, iat: now() - 400 })))).toBe(
      'TOKEN_EXPIRED',
    );
    await expect(
      verifier()(await sign(payload, { exp: now() - 30, iat: now() - 300 })),
    ).resolves.toBeTruthy();
    expect(
      await reasonOf(
        verifier({ clockToleranceSeconds: 0 })(await sign(payload, { exp: now() - 30, iat: now() - 300 })),
      ),
    ).toBe('TOKEN_EXPIRED');
  });

  it('rejects a token without exp', async () => {
    expect(await reasonOf(verifier()(await sign(payload, { exp: null })))).toBe('MISSING_EXPIRY');
  });

  it('rejects tokens that live too long or were issued in the future', async () => {
    expect(await reasonOf(verifier()(await sign(payload, { exp: now() + 86400 })))).toBe(
      'TOKEN_TOO_LONG_LIVED',
    );
    expect(await reasonOf(verifier()(await sign(payload, { iat: now() + 600, exp: now() + 900 })))).toMatch(
      /TOKEN_NOT_YET_VALID/,
    );
  });

  it('rejects alg none', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...payload, iss: 'wix.com', exp: now() + 60 })}.`;
    expect(await reasonOf(verifier()(token))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('rejects HS256 signed with the public key as the HMAC secret (key confusion)', async () => {
    const header = b64url({ alg: 'HS256', typ: 'JWT' });
    const body = b64url({ ...payload, iss: 'wix.com', exp: now() + 60 });
    const sig = createHmac('sha256', wixKeys().publicKeyPem).update(`${header}.${body}`).digest('base64url');
    expect(await reasonOf(verifier()(`${header}.${body}.${sig}`))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('rejects RS512 and PS256 even when signed with the right key', async () => {
    for (const alg of ['RS512', 'PS256']) {
      const key = createPrivateKey(wixKeys().privateKeyPem);
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg })
        .setIssuer('wix.com')
        .setExpirationTime('5m')
        .sign(key);
      expect(await reasonOf(verifier()(token))).toBe('UNSUPPORTED_ALGORITHM');
    }
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await sign(payload)).split('.');
    const forged = b64url({
      data: { request: {}, metadata: { instanceId: 'someone-else' } },
      iss: 'wix.com',
      exp: now() + 60,
    });
    expect(await reasonOf(verifier()(`${h}.${forged}.${s}`))).toBe('INVALID_SIGNATURE');
  });

  it('rejects everything when no key is configured', async () => {
    expect(await reasonOf(verifier({ publicKeys: [] })(await sign(payload)))).toBe('NO_KEY_CONFIGURED');
  });

  it('refuses a non-RSA public key at start-up', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(() => verifier({ publicKeys: [ec.publicKey] })).toThrow(/RSA/);
  });
});

describe('public key formats', () => {
  const pem = wixKeys().publicKeyPem;
  const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

  it('accepts PEM, base64 of PEM, bare base64 SPKI and escaped newlines', async () => {
    const forms = [pem, Buffer.from(pem).toString('base64'), body, pem.replace(/\n/g, '\\n')];
    const token = await sign(payload);
    for (const form of forms) {
      const keys = parsePublicKeys(form);
      expect(keys).toHaveLength(1);
      await expect(verifier({ publicKeys: keys })(token)).resolves.toBeTruthy();
    }
  });

  it('accepts several keys: concatenated PEMs or comma-separated base64', () => {
    const other = newKeyPair().publicKeyPem;
    expect(parsePublicKeys(`${pem}\n${other}`)).toHaveLength(2);
    expect(
      parsePublicKeys(`${Buffer.from(pem).toString('base64')},${Buffer.from(other).toString('base64')}`),
    ).toHaveLength(2);
    expect(parsePublicKeys('')).toEqual([]);
    expect(() => parsePublicKeys('###')).toThrow();
  });
});

describe('public keys: mixed forms and private keys (issue 10, item 10)', () => {
  const pem = wixKeys().publicKeyPem;
  const other = newKeyPair();
  const otherBody = other.publicKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

  it.each([
    ['PEM then bare base64', `${pem}\n${otherBody}`],
    ['bare base64 then PEM', `${otherBody}\n${pem}`],
    ['PEM, comma, base64 of PEM', `${pem},${Buffer.from(other.publicKeyPem).toString('base64')}`],
    ['escaped-newline PEM and base64', `${pem.replace(/\n/g, '\\n')},${otherBody}`],
  ])('keeps both keys of a rotation given as %s', async (_name, raw) => {
    const keys = parsePublicKeys(raw);
    expect(keys).toHaveLength(2);
    const v = verifier({ publicKeys: keys });
    await expect(v(await sign(payload))).resolves.toBeTruthy();
    await expect(v(await sign(payload, { key: other.privateKeyPem }))).resolves.toBeTruthy();
  });

  const rsa = newKeyPair();
  const pkcs1 = createPrivateKey(rsa.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
  it.each([
    ['a PKCS#8 private key', rsa.privateKeyPem],
    ['a PKCS#1 private key', pkcs1],
    ['a base64 private key PEM', Buffer.from(rsa.privateKeyPem).toString('base64')],
    ['a private key next to a public one', `${pem}\n${rsa.privateKeyPem}`],
  ])('refuses %s at start with a message that says so', (_name, raw) => {
    expect(() => parsePublicKeys(raw)).toThrow(ConfigError);
    expect(() => parsePublicKeys(raw)).toThrow(/private key/);
    expect(() => loadConfig({ WIX_PUBLIC_KEY: raw, WIX_APP_ID: 'app' })).toThrow(/private key/);
  });

  it('refuses an EC key and an unreadable PEM at start', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(() => parsePublicKeys(ec.publicKey)).toThrow(/RSA/);
    expect(() => parsePublicKeys('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(
      /not a readable public key/,
    );
  });
});

describe('WIX_APP_ID (issue 10, item 9)', () => {
  const key = wixKeys().publicKeyPem;

  it.each([undefined, '', '   '])(
    'stops the start when a public key is set and the app id is %p',
    (appId) => {
      expect(() => loadConfig({ WIX_PUBLIC_KEY: key, WIX_APP_ID: appId })).toThrow(/WIX_APP_ID is not set/);
    },
  );

  it('takes * as the explicit choice to accept any audience', () => {
    const config = loadConfig({ WIX_PUBLIC_KEY: key, WIX_APP_ID: '*' });
    expect(config.wixAppId).toBeUndefined();
    expect(config.acceptAnyAudience).toBe(true);
  });

  it('checks the configured app id, and needs none while V3 is closed (no key)', () => {
    expect(loadConfig({ WIX_PUBLIC_KEY: key, WIX_APP_ID: ' app-1 ' })).toMatchObject({
      wixAppId: 'app-1',
      acceptAnyAudience: false,
    });
    expect(loadConfig({})).toMatchObject({ wixAppId: undefined, acceptAnyAudience: false });
  });

  it('logs the any-audience choice when the verifier is built', () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      verifier({ acceptAnyAudience: true });
      expect(warn.mock.calls.map((c) => String(c[0])).join('')).toMatch(/WIX_APP_ID=\*/);
    } finally {
      warn.mockRestore();
    }
  });
});
