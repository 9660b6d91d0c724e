import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { availableDataOperations, matchRoute, normalisePath, ROUTES } from '../../lambda/routes';

const HANDLERS = path.resolve(__dirname, '../../lambda/handlers');

describe('route table', () => {
  it.each(ROUTES.map((r) => [r.operation]))(
    '%s has a handler exporting `handler` and `operation`',
    async (op) => {
      const file = path.join(HANDLERS, `${op}.ts`);
      expect(existsSync(file)).toBe(true);
      const mod = (await import(file)) as Record<string, unknown>;
      expect(typeof mod.handler).toBe('function');
      expect(mod.operation).toBeDefined();
      const route = ROUTES.find((r) => r.operation === op)!;
      const operation = mod.operation as Record<string, unknown>;
      for (const p of route.paths) {
        const needed = p.protocol === 'open' ? 'open' : p.protocol;
        expect(typeof operation[needed]).toBe('function');
      }
    },
  );

  it('every handler file is in the table', () => {
    const files = readdirSync(HANDLERS)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual(ROUTES.map((r) => r.operation).sort());
  });

  it('has unique operations and paths', () => {
    const ops = ROUTES.map((r) => r.operation);
    const paths = ROUTES.flatMap((r) => r.paths.map((p) => p.path));
    expect(new Set(ops).size).toBe(ops.length);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it.each([
    ['/v3/collections/get', 'collectionsGet'],
    ['/prod/wix/v3/collections/get', 'collectionsGet'],
    ['//v3/collections/get', 'collectionsGet'],
    ['/base//v3//collections/get/', 'collectionsGet'],
    ['/v3/collections/get?x=1', 'collectionsGet'],
    ['/v3/provision', 'provision'],
    ['/provision', 'provision'],
    ['/some/prefix/provision', 'provision'],
    ['/data/find', 'itemsQuery'],
    ['/data/get', 'itemsQuery'],
    ['/prod/data/insert/bulk', 'itemsInsert'],
    ['/data/insert', 'itemsInsert'],
    ['/schemas/list/headers', 'collectionsGet'],
    ['/schemas/column/remove', 'collectionsUpdate'],
  ])('matches %s by suffix', (p, op) => {
    expect(matchRoute(p)?.route.operation).toBe(op);
  });

  it('tells the protocol of the matched path (the longest suffix wins)', () => {
    expect(matchRoute('/v3/provision')?.path).toBe('/v3/provision');
    expect(matchRoute('/provision')?.path).toBe('/provision');
    expect(matchRoute('/v3/collections/create')?.protocol).toBe('v3');
    expect(matchRoute('/provision')?.protocol).toBe('legacy');
    expect(matchRoute('/v3/provision')?.protocol).toBe('open');
    expect(matchRoute('/data/insert/bulk')?.path).toBe('/data/insert/bulk');
    expect(matchRoute('/schemas/list/headers')?.path).toBe('/schemas/list/headers');
    expect(matchRoute('/schemas/list')?.protocol).toBe('legacy');
  });

  it('serves every legacy path of the protocol (wix-legacy notes §10)', () => {
    const legacy = ROUTES.flatMap((r) => r.paths.filter((p) => p.protocol === 'legacy').map((p) => p.path));
    expect(legacy.sort()).toEqual(
      [
        '/provision',
        '/schemas/list',
        '/schemas/list/headers',
        '/schemas/find',
        '/schemas/create',
        '/schemas/column/add',
        '/schemas/column/remove',
        '/data/find',
        '/data/get',
        '/data/count',
        '/data/aggregate',
        '/data/insert',
        '/data/update',
        '/data/remove',
        '/data/insert/bulk',
        '/data/update/bulk',
        '/data/remove/bulk',
        '/data/truncate',
      ].sort(),
    );
  });

  it.each(['/', '/v3/collections', '/v3/collections/getx', '/xv3/collections/get/more', '/health'])(
    'does not match %s',
    (p) => {
      expect(matchRoute(p)).toBeUndefined();
    },
  );

  it('normalises paths', () => {
    expect(normalisePath('//a///b/')).toBe('/a/b');
    expect(normalisePath('/')).toBe('/');
  });

  it('advertises only data operations that have routes', () => {
    const advertised = availableDataOperations();
    for (const op of advertised) expect(ROUTES.some((r) => r.dataOperation === op)).toBe(true);
  });
});
