/**
 * Issue 10, items 2 and 3, as an attacker holding legacy credentials would try them: the secret
 * matrix (right secret, wrong secret, another site's secret, a forged or tampered or revoked one, an
 * instanceId naming another tenant, V3 tenants unreachable) and the role x operation x protocol
 * matrix (every legacy path for every role; refusals are 401/403 {message} and change nothing).
 */
import { randomUUID } from 'node:crypto';
import { LEGACY_DEFAULT_TENANT } from '../../lambda/config';
import { LEGACY_ACTIONS } from '../../lambda/protocol/legacy/access';
import { issueSiteSecret, siteTenant, verifySiteSecret } from '../../lambda/protocol/legacy/siteSecrets';
import { ROUTES } from '../../lambda/routes';
import { resetStats } from '../../lambda/store/client';
import { createTestAdaptor, testDeps, type CallResult, type TestAdaptor } from '../helpers/adaptor';

const MASTER = `master-${randomUUID()}`;
const C = 'vault';
const FIELDS = [
  { key: 'mark', type: 'TEXT' },
  { key: 'n', type: 'NUMBER' },
];
const WRITE_COMMANDS = /Put|Update|Delete|BatchWrite|TransactWrite/;

/** Every item of C in a tenant, read through V3 (the protocol the attacker does not hold). */
async function itemsOf(a: TestAdaptor, tenant: string): Promise<unknown[]> {
  const res = await a.call(
    '/v3/items/query',
    { collectionId: C, query: { sort: [{ fieldName: '_id' }] } },
    { tenant },
  );
  return res.status === 404 ? [] : (res.body.items as unknown[]);
}

async function seedV3(a: TestAdaptor, tenant: string, mark: string): Promise<void> {
  const created = await a.call(
    '/v3/collections/create',
    { collection: { id: C, fields: FIELDS } },
    { tenant },
  );
  expect(created.status).toBe(200);
  const items = ['i1', 'i2', 'i3'].map((_id, n) => ({ _id, mark, n }));
  expect((await a.call('/v3/items/insert', { collectionId: C, items }, { tenant })).status).toBe(200);
}

function expectRefused(res: CallResult, status: 401 | 403): void {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body)).toEqual(['message']);
}

describe('legacy secrets: a secret opens exactly one tenant', () => {
  const deps = testDeps({ WIX_SECRET_KEY: MASTER, LEGACY_REVOKED_SECRETS: 'legacy/revoked-site@1' });
  const a = createTestAdaptor({ deps });
  const victim = `victim-${randomUUID()}`; // a V3 installation
  const siteA = siteTenant(`site-a-${randomUUID().slice(0, 8)}`);
  const siteB = siteTenant(`site-b-${randomUUID().slice(0, 8)}`);
  const secretA = issueSiteSecret(MASTER, siteA);
  const secretB = issueSiteSecret(MASTER, siteB);

  beforeAll(async () => {
    await seedV3(a, victim, 'victim-data');
    // Site A builds its data through the legacy protocol with its own secret.
    const open = { tenant: siteA, secret: secretA };
    expect((await a.legacy('/schemas/create', { collectionName: C }, open)).status).toBe(200);
    const item = { _id: 'a1', mark: 'site-a-data' };
    expect((await a.legacy('/data/insert', { collectionName: C, item }, open)).status).toBe(200);
  });

  const find = (secret: string | undefined, instanceId: string) =>
    a.legacy('/data/find', { collectionName: C }, { secret, instanceId });

  it('the right site secret reads its own tenant, whatever instanceId the body names', async () => {
    for (const instanceId of [siteA, victim, 'anything', '']) {
      const res = await find(secretA, instanceId);
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { mark: string }) => i.mark)).toEqual(['site-a-data']);
    }
  });

  it("another site's secret never reaches site A's data, even when naming site A", async () => {
    for (const instanceId of [siteA, victim]) {
      const res = await find(secretB, instanceId);
      expect(res.status).toBe(404); // site B has no collection C
      expect(JSON.stringify(res.body)).not.toMatch(/site-a-data|victim-data/);
    }
    const list = await a.legacy('/schemas/list', {}, { secret: secretB, instanceId: siteA });
    expect(list.body).toEqual({ schemas: [] });
  });

  it('the master secret opens its own legacy tenant, never the V3 tenant an instanceId names', async () => {
    const res = await find(MASTER, victim);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('victim-data');
    const truncate = await a.legacy(
      '/data/truncate',
      { collectionName: C },
      { secret: MASTER, instanceId: victim },
    );
    expect(truncate.status).toBe(404);
    expect(await itemsOf(a, victim)).toHaveLength(3);
  });

  it.each<[string, () => string | undefined]>([
    ['a wrong secret', () => 'wrong'],
    ['no secret', () => undefined],
    ['a prefix of the master', () => MASTER.slice(0, -1)],
    ['a site secret minted with another master', () => issueSiteSecret(`other-${MASTER}`, victim)],
    [
      'site A secret with its tenant swapped for the victim',
      () =>
        secretA.replace(Buffer.from(siteA).toString('base64url'), Buffer.from(victim).toString('base64url')),
    ],
    ['site A secret with another generation', () => secretA.replace(/\.1\./, '.2.')],
    ['site A secret with a truncated MAC', () => secretA.slice(0, -2)],
    ['a revoked generation', () => issueSiteSecret(MASTER, 'legacy/revoked-site', 1)],
  ])('refuses %s with 401, and the victim keeps its data', async (_name, secret) => {
    for (const path of ['/data/find', '/data/truncate', '/schemas/list']) {
      const res = await a.legacy(path, { collectionName: C }, { secret: secret(), instanceId: victim });
      expectRefused(res, 401);
    }
    expect(await itemsOf(a, victim)).toHaveLength(3);
  });

  it('a replacement generation works while the revoked one does not', async () => {
    const next = issueSiteSecret(MASTER, 'legacy/revoked-site', 2);
    expect((await a.legacy('/schemas/list', {}, { secret: next })).status).toBe(200);
  });

  it('no V3 instance id aliases a legacy tenant', async () => {
    for (const tenant of [siteA, LEGACY_DEFAULT_TENANT]) {
      const res = await a.call('/v3/items/query', { collectionId: C, query: {} }, { tenant });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('site-a-data');
    }
  });

  it('binding to a V3 installation is explicit: a secret issued for it shares that data', async () => {
    const bound = issueSiteSecret(MASTER, victim);
    const res = await find(bound, 'ignored');
    expect(res.body.items.map((i: { mark: string }) => i.mark)).toEqual([
      'victim-data',
      'victim-data',
      'victim-data',
    ]);
    const masterBound = createTestAdaptor({
      deps: testDeps({ WIX_SECRET_KEY: MASTER, WIX_SECRET_KEY_TENANT: victim }),
    });
    const viaMaster = await masterBound.legacy('/data/count', { collectionName: C }, { secret: MASTER });
    expect(viaMaster.body).toEqual({ totalCount: 3 });
  });

  it('WIX_SECRET_KEY_TENANT=none: the master opens nothing, site secrets still work', async () => {
    const closed = createTestAdaptor({
      deps: testDeps({ WIX_SECRET_KEY: MASTER, WIX_SECRET_KEY_TENANT: 'none' }),
    });
    expectRefused(await closed.legacy('/schemas/list', {}, { secret: MASTER }), 401);
    expect((await closed.legacy('/schemas/list', {}, { secret: secretA })).status).toBe(200);
  });

  it('site secrets carry their tenant under the MAC and refuse bad site names', () => {
    expect(verifySiteSecret(secretA, MASTER, [])).toEqual({ tenant: siteA, generation: 1 });
    expect(verifySiteSecret(secretA, MASTER, [siteA])).toBeUndefined();
    for (const bad of ['default', 'UPPER', '-x', 'a/b', 'x'.repeat(64), ''])
      expect(() => siteTenant(bad)).toThrow();
  });
});

describe('tenant ids too long for a key are a 400 before any I/O (issue 10, item 10)', () => {
  const a = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: MASTER }) });
  it.each([
    ['256 CJK characters', '漢'.repeat(256)],
    ['171 CJK characters (just over 512 encoded bytes)', '漢'.repeat(57 * 3 + 1)],
  ])('a V3 instance id of %s', async (_name, tenant) => {
    resetStats(a.deps.db.stats);
    for (const path of ['/v3/collections/get', '/v3/items/query']) {
      const res = await a.call(path, { collectionId: C, query: {} }, { tenant });
      expect(res.status).toBe(400);
      expect(res.body.errorMessage ?? res.body.message).toMatch(/too long/);
    }
    expect(Object.keys(a.deps.db.stats.requests)).toEqual([]);
  });

  it('the longest accepted one works end to end', async () => {
    const tenant = '漢'.repeat(56); // 504 bytes percent-encoded
    const res = await a.call('/v3/collections/create', { collection: { id: C, fields: FIELDS } }, { tenant });
    expect(res.status).toBe(200);
    expect(
      (await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: 'x' }] }, { tenant })).status,
    ).toBe(200);
    expect((await a.call('/v3/items/truncate', { collectionId: C }, { tenant })).status).toBe(200);
  });

  it('a site secret cannot be issued for a tenant too long for its keys', () => {
    expect(() => issueSiteSecret(MASTER, '漢'.repeat(256))).toThrow(/too long/);
  });
});

describe('reference keys too long for DynamoDB are a 4xx, never a 500 (siblings of the CJK tenant)', () => {
  const a = createTestAdaptor({ deps: testDeps() });
  const long = (c: string) => c.repeat(700); // two 700-byte ids cannot share one 1,024-byte sort key
  const cjkField = '漢'.repeat(250); // 2,250 bytes percent-encoded: too long for the reverse-index key
  const refs = (id: string) => [
    {
      key: id,
      type: 'MULTI_REFERENCE',
      multiReferenceOptions: { referencedCollectionId: id === 'refs' ? 'ids' : 'cjk' },
    },
  ];

  beforeAll(async () => {
    expect(
      (await a.call('/v3/collections/create', { collection: { id: 'ids', fields: refs('refs') } })).status,
    ).toBe(200);
    expect(
      (await a.call('/v3/collections/create', { collection: { id: 'cjk', fields: refs(cjkField) } })).status,
    ).toBe(200);
    await a.call('/v3/items/insert', {
      collectionId: 'ids',
      items: [{ _id: long('x') }, { _id: long('y') }],
    });
    await a.call('/v3/items/insert', { collectionId: 'cjk', items: [{ _id: 'a' }, { _id: 'b' }] });
  });

  it.each([
    ['long item ids', 'ids', 'refs', long('x'), long('y')],
    ['a long CJK field key', 'cjk', cjkField, 'a', 'b'],
  ])('%s', async (_name, collectionId, referringFieldKey, referringItemId, referencedItemId) => {
    const references = [{ referringItemId, referencedItemId }];
    for (const path of ['/v3/items/insert-references', '/v3/items/remove-references']) {
      const res = await a.call(path, { collectionId, referringFieldKey, references });
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body)).not.toContain('UNKNOWN_ERROR');
    }
    const inserted = await a.call('/v3/items/insert-references', {
      collectionId,
      referringFieldKey,
      references,
    });
    expect(JSON.stringify(inserted.body)).toMatch(/too long/);
    const queried = await a.call('/v3/items/query-referenced', {
      collectionId,
      referringFieldKey,
      referringItemIds: [referringItemId],
    });
    expect(queried.status).toBe(200);
    expect(queried.body.items ?? []).toEqual([]);
    const removed = await a.call('/v3/items/remove', { collectionId, itemIds: [referencedItemId] });
    expect(removed.status).toBe(200);
  });
});

describe('the access table agrees with the route table', () => {
  const legacyPaths = ROUTES.flatMap((r) =>
    r.paths.filter((p) => p.protocol === 'legacy').map((p) => [p.path, r.access] as const),
  );
  const READS = ['none', 'schemaRead', 'read'];
  it.each(legacyPaths)('%s (%s access) has an action of the same kind', (path, access) => {
    const action = LEGACY_ACTIONS.get(path);
    expect(action).toBeDefined();
    if (access === 'write') expect(READS).not.toContain(action);
    else expect(READS).toContain(action);
  });
});

type Expect = 'allowed' | 401 | 403;
const ROLES = ['OWNER', 'BACKEND_CODE', 'MEMBER', 'VISITOR', null, 'ADMIN'] as const;
type RoleCase = (typeof ROLES)[number];

/** Every legacy path with a body that can succeed, in an order where each still has data to act on. */
const OPERATIONS: [string, () => Record<string, unknown>][] = [
  ['/provision', () => ({})],
  ['/schemas/list', () => ({})],
  ['/schemas/list/headers', () => ({})],
  ['/schemas/find', () => ({ schemaIds: [C] })],
  ['/data/find', () => ({ collectionName: C })],
  ['/data/get', () => ({ collectionName: C, itemId: 'i1' })],
  ['/data/count', () => ({ collectionName: C })],
  ['/data/aggregate', () => ({ collectionName: C, processingStep: { _id: '$mark', n: { $sum: 1 } } })],
  ['/schemas/create', () => ({ collectionName: `made-${randomUUID().slice(0, 8)}` })],
  ['/schemas/column/add', () => ({ collectionName: C, column: { name: 'extra', type: 'text' } })],
  ['/schemas/column/remove', () => ({ collectionName: C, columnName: 'extra' })],
  ['/data/insert', () => ({ collectionName: C, item: { _id: randomUUID(), mark: 'planted' } })],
  ['/data/insert/bulk', () => ({ collectionName: C, items: [{ _id: randomUUID(), mark: 'planted' }] })],
  ['/data/update', () => ({ collectionName: C, item: { _id: 'i1', mark: 'changed' } })],
  ['/data/update/bulk', () => ({ collectionName: C, items: [{ _id: 'i2', mark: 'changed' }] })],
  ['/data/remove', () => ({ collectionName: C, itemId: 'i1' })],
  ['/data/remove/bulk', () => ({ collectionName: C, itemIds: ['i2'] })],
  ['/data/truncate', () => ({ collectionName: C })],
];

const READ_PATHS = new Set(['/provision', '/schemas/list', '/schemas/list/headers', '/schemas/find']);
const DATA_READS = new Set(['/data/find', '/data/get', '/data/count', '/data/aggregate']);

/** The default policy: reads for every role, writes for OWNER and BACKEND_CODE, no role refused. */
function expected(role: RoleCase, path: string): Expect {
  if (path === '/provision') return 'allowed';
  if (role === null || role === 'ADMIN') return 401;
  if (READ_PATHS.has(path) || DATA_READS.has(path)) return 'allowed';
  return role === 'OWNER' || role === 'BACKEND_CODE' ? 'allowed' : 403;
}

describe.each(ROLES)('role x operation, default policy: role %p', (role) => {
  const a = createTestAdaptor({ deps: testDeps({ WIX_SECRET_KEY: MASTER }) });
  beforeAll(() => seedV3(a, a.tenant, 'seed'));

  it.each(OPERATIONS)('%s', async (path, body) => {
    const before = await itemsOf(a, a.tenant);
    const fieldsBefore = (await a.call('/v3/collections/get', { collectionIds: [C] })).body;
    resetStats(a.deps.db.stats);
    const res = await a.legacy(path, body(), { role });
    const want = expected(role, path);
    if (want === 'allowed') {
      expect([200, 404]).toContain(res.status);
      return;
    }
    expectRefused(res, want);
    const writes = Object.keys(a.deps.db.stats.requests).filter((c) => WRITE_COMMANDS.test(c));
    expect(writes).toEqual([]);
    expect(await itemsOf(a, a.tenant)).toEqual(before);
    expect((await a.call('/v3/collections/get', { collectionIds: [C] })).body).toEqual(fieldsBefore);
  });

  it('the same tenant through V3 is not subject to legacy roles', async () => {
    const res = await a.call('/v3/items/insert', { collectionId: C, items: [{ _id: randomUUID() }] });
    expect(res.status).toBe(200);
  });
});

describe('per-collection overrides: the collection permissions, then LEGACY_PERMISSIONS', () => {
  const a = createTestAdaptor({
    deps: testDeps({
      WIX_SECRET_KEY: MASTER,
      LEGACY_PERMISSIONS: JSON.stringify({
        board: { remove: 'SITE_MEMBER' },
        '*': { insert: 'SITE_MEMBER' },
      }),
    }),
  });
  const create = (id: string, permissions?: Record<string, string>) =>
    a.call('/v3/collections/create', {
      collection: { id, fields: FIELDS, ...(permissions ? { permissions } : {}) },
    });

  beforeAll(async () => {
    expect(
      (await create('secrets', { read: 'ADMIN', insert: 'ADMIN', update: 'ADMIN', remove: 'ADMIN' })).status,
    ).toBe(200);
    expect(
      (
        await create('guestbook', {
          read: 'ANYONE',
          insert: 'ANYONE',
          update: 'SITE_MEMBER',
          remove: 'ADMIN',
        })
      ).status,
    ).toBe(200);
    expect(
      (await create('authored', { read: 'SITE_MEMBER_AUTHOR', insert: 'SITE_MEMBER_AUTHOR' })).status,
    ).toBe(200);
    expect((await create('board')).status).toBe(200);
    expect((await create('plain')).status).toBe(200);
    for (const id of ['secrets', 'guestbook', 'authored', 'board', 'plain'])
      await a.call('/v3/items/insert', { collectionId: id, items: [{ _id: 'x1' }, { _id: 'x2' }] });
  });

  it.each<[string, string, Record<string, unknown>, RoleCase, Expect]>([
    ['secrets', '/data/find', {}, 'VISITOR', 403],
    ['secrets', '/data/count', {}, 'MEMBER', 403],
    ['secrets', '/data/find', {}, 'OWNER', 'allowed'],
    ['guestbook', '/data/insert', { item: { _id: 'g1' } }, 'VISITOR', 'allowed'],
    ['guestbook', '/data/update', { item: { _id: 'x1', mark: 'm' } }, 'VISITOR', 403],
    ['guestbook', '/data/update', { item: { _id: 'x1', mark: 'm' } }, 'MEMBER', 'allowed'],
    ['guestbook', '/data/remove', { itemId: 'x2' }, 'MEMBER', 403],
    ['guestbook', '/data/truncate', {}, 'MEMBER', 403],
    ['authored', '/data/find', {}, 'MEMBER', 403],
    ['authored', '/data/insert', { item: { _id: 'm1' } }, 'MEMBER', 'allowed'],
    ['board', '/data/remove', { itemId: 'x1' }, 'MEMBER', 'allowed'],
    ['board', '/data/remove', { itemId: 'x2' }, 'VISITOR', 403],
    ['plain', '/data/insert', { item: { _id: 'p1' } }, 'MEMBER', 'allowed'],
    ['plain', '/data/insert', { item: { _id: 'p2' } }, 'VISITOR', 403],
    ['plain', '/data/update', { item: { _id: 'x1' } }, 'MEMBER', 403],
  ])('%s %s as %p', async (collectionName, path, body, role, want) => {
    const res = await a.legacy(path, { collectionName, ...body }, { role });
    if (want === 'allowed') expect(res.status).toBe(200);
    else expectRefused(res, want);
  });

  it('a configuration typo stops the start', () => {
    expect(() => testDeps({ LEGACY_PERMISSIONS: '{"x":{"read":"EVERYONE"}}' })).toThrow(/roles are/);
    expect(() => testDeps({ LEGACY_PERMISSIONS: '{"x":{"delete":"ADMIN"}}' })).toThrow(/actions are/);
  });
});
