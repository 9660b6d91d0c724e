/**
 * THE route table. One entry per operation: its V3 path, its legacy paths, the DynamoDB access its
 * Lambda needs, and the Wix data operation it provides. It drives the local server, the CDK stack
 * (one Lambda per entry, read-only grants for `read` entries) and the test that every operation is
 * wired to a handler file `lambda/handlers/<operation>.ts`.
 *
 * Pure data: imported by lib/ (CDK) as well as by the runtime, so it must not import anything.
 */

/** What an operation's Lambda may do to the table. */
export type Access = 'none' | 'read' | 'write';

/** Wix `capabilities.dataOperations` values. */
export type DataOperation =
  | 'QUERY'
  | 'COUNT'
  | 'QUERY_REFERENCED'
  | 'AGGREGATE'
  | 'DISTINCT'
  | 'INSERT'
  | 'UPDATE'
  | 'REMOVE'
  | 'TRUNCATE'
  | 'INSERT_REFERENCES'
  | 'REMOVE_REFERENCES';

/** How a path authenticates: V3 JWT body, legacy secret key, or not at all. */
export type Protocol = 'v3' | 'legacy' | 'open';

export interface RouteDef {
  /** Operation name: the handler file name and the Lambda's logical id. */
  readonly operation: string;
  /** Paths served, each with its protocol. Matched by suffix. */
  readonly paths: readonly { readonly path: string; readonly protocol: Protocol }[];
  readonly access: Access;
  /** The Wix data operation this route provides to collections, if any. */
  readonly dataOperation?: DataOperation;
  /** Needs to start the purge function's jobs (truncate, delete collection; index builds). */
  readonly startsPurge?: boolean;
}

export const ROUTES: readonly RouteDef[] = [
  {
    operation: 'provision',
    paths: [
      { path: '/v3/provision', protocol: 'open' },
      { path: '/provision', protocol: 'legacy' },
    ],
    access: 'none',
  },
  {
    operation: 'capabilitiesGet',
    paths: [{ path: '/v3/capabilities/get', protocol: 'v3' }],
    access: 'none',
  },
  {
    operation: 'collectionsGet',
    paths: [
      { path: '/v3/collections/get', protocol: 'v3' },
      { path: '/schemas/list', protocol: 'legacy' },
      { path: '/schemas/list/headers', protocol: 'legacy' },
      { path: '/schemas/find', protocol: 'legacy' },
    ],
    access: 'read',
  },
  {
    operation: 'collectionsCreate',
    paths: [
      { path: '/v3/collections/create', protocol: 'v3' },
      { path: '/schemas/create', protocol: 'legacy' },
    ],
    access: 'write',
  },
  {
    operation: 'collectionsUpdate',
    paths: [
      { path: '/v3/collections/update', protocol: 'v3' },
      { path: '/schemas/column/add', protocol: 'legacy' },
      { path: '/schemas/column/remove', protocol: 'legacy' },
    ],
    access: 'write',
  },
  {
    operation: 'collectionsDelete',
    paths: [{ path: '/v3/collections/delete', protocol: 'v3' }],
    access: 'write',
    startsPurge: true,
  },
  {
    operation: 'itemsQuery',
    paths: [
      { path: '/v3/items/query', protocol: 'v3' },
      { path: '/data/find', protocol: 'legacy' },
      { path: '/data/get', protocol: 'legacy' },
    ],
    access: 'read',
    dataOperation: 'QUERY',
  },
  {
    operation: 'itemsCount',
    paths: [
      { path: '/v3/items/count', protocol: 'v3' },
      { path: '/data/count', protocol: 'legacy' },
    ],
    access: 'read',
    dataOperation: 'COUNT',
  },
  {
    operation: 'itemsAggregate',
    paths: [
      { path: '/v3/items/aggregate', protocol: 'v3' },
      { path: '/data/aggregate', protocol: 'legacy' },
    ],
    access: 'read',
    dataOperation: 'AGGREGATE',
  },
  {
    operation: 'itemsDistinct',
    paths: [{ path: '/v3/items/query-distinct-values', protocol: 'v3' }],
    access: 'read',
    dataOperation: 'DISTINCT',
  },
  {
    operation: 'itemsQueryReferenced',
    paths: [{ path: '/v3/items/query-referenced', protocol: 'v3' }],
    access: 'read',
    dataOperation: 'QUERY_REFERENCED',
  },
  {
    operation: 'itemsInsertReferences',
    paths: [{ path: '/v3/items/insert-references', protocol: 'v3' }],
    access: 'write',
    dataOperation: 'INSERT_REFERENCES',
  },
  {
    operation: 'itemsRemoveReferences',
    paths: [{ path: '/v3/items/remove-references', protocol: 'v3' }],
    access: 'write',
    dataOperation: 'REMOVE_REFERENCES',
  },
  {
    operation: 'itemsInsert',
    paths: [
      { path: '/v3/items/insert', protocol: 'v3' },
      { path: '/data/insert', protocol: 'legacy' },
      { path: '/data/insert/bulk', protocol: 'legacy' },
    ],
    access: 'write',
    dataOperation: 'INSERT',
  },
  {
    operation: 'itemsUpdate',
    paths: [
      { path: '/v3/items/update', protocol: 'v3' },
      { path: '/data/update', protocol: 'legacy' },
      { path: '/data/update/bulk', protocol: 'legacy' },
    ],
    access: 'write',
    dataOperation: 'UPDATE',
  },
  {
    operation: 'itemsRemove',
    paths: [
      { path: '/v3/items/remove', protocol: 'v3' },
      { path: '/data/remove', protocol: 'legacy' },
      { path: '/data/remove/bulk', protocol: 'legacy' },
    ],
    access: 'write',
    dataOperation: 'REMOVE',
  },
  {
    operation: 'itemsTruncate',
    paths: [
      { path: '/v3/items/truncate', protocol: 'v3' },
      { path: '/data/truncate', protocol: 'legacy' },
    ],
    access: 'write',
    dataOperation: 'TRUNCATE',
    startsPurge: true,
  },
  {
    operation: 'indexesList',
    paths: [{ path: '/v3/indexes/list', protocol: 'v3' }],
    access: 'read',
  },
  {
    operation: 'indexesCreate',
    paths: [{ path: '/v3/indexes/create', protocol: 'v3' }],
    access: 'write',
    // the index build runs on the purge function
    startsPurge: true,
  },
  {
    operation: 'indexesRemove',
    paths: [{ path: '/v3/indexes/remove', protocol: 'v3' }],
    access: 'write',
  },
];

export interface RouteMatch {
  readonly route: RouteDef;
  readonly protocol: Protocol;
  readonly path: string;
}

/** All (path, route) pairs, longest path first, so `/v3/provision` wins over `/provision`. */
const BY_SUFFIX: readonly RouteMatch[] = ROUTES.flatMap((route) =>
  route.paths.map((p) => ({ route, protocol: p.protocol, path: p.path })),
).sort((a, b) => b.path.length - a.path.length);

/** Collapses repeated slashes and drops a trailing slash and any query string. */
export function normalisePath(rawPath: string): string {
  const noQuery = rawPath.split('?')[0] ?? '';
  const collapsed = noQuery.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
}

/**
 * Finds the route whose path is a suffix of the request path at a segment boundary, so a base URI
 * with a prefix (`/prod/wix/v3/items/query`) or a doubled slash works.
 */
export function matchRoute(rawPath: string): RouteMatch | undefined {
  const path = normalisePath(rawPath);
  return BY_SUFFIX.find((m) => path === m.path || path.endsWith(m.path));
}

export function routeByOperation(operation: string): RouteDef | undefined {
  return ROUTES.find((r) => r.operation === operation);
}

/** The data operations provided by routes that exist: what collections may honestly advertise. */
export function availableDataOperations(): DataOperation[] {
  return ROUTES.flatMap((r) => (r.dataOperation ? [r.dataOperation] : []));
}
