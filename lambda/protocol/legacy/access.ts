/**
 * The one place legacy roles are enforced, before any operation runs (so a refused request changes
 * nothing). Driven by data: each legacy path of the route table has an action here (a test checks
 * the two agree), and the policy itself is model/legacyRoles.ts.
 */
import { ForbiddenError, UnauthorizedError } from '../../errors';
import type { Deps } from '../../model/deps';
import {
  isLegacyRole,
  permissionFor,
  rolesFor,
  type LegacyAction,
  type LegacyRole,
} from '../../model/legacyRoles';
import { attachedFor } from '../../model/attach';
import { getCollection } from '../../store/collections';
import type { LegacyEnvelope } from './envelope';

/** What each legacy path does. A path missing here is refused (fail closed). */
export const LEGACY_ACTIONS: ReadonlyMap<string, LegacyAction> = new Map<string, LegacyAction>([
  ['/provision', 'none'],
  ['/schemas/list', 'schemaRead'],
  ['/schemas/list/headers', 'schemaRead'],
  ['/schemas/find', 'schemaRead'],
  ['/schemas/create', 'schemaWrite'],
  ['/schemas/column/add', 'schemaWrite'],
  ['/schemas/column/remove', 'schemaWrite'],
  ['/data/find', 'read'],
  ['/data/get', 'read'],
  ['/data/count', 'read'],
  ['/data/aggregate', 'read'],
  ['/data/insert', 'insert'],
  ['/data/insert/bulk', 'insert'],
  ['/data/update', 'update'],
  ['/data/update/bulk', 'update'],
  ['/data/remove', 'remove'],
  ['/data/remove/bulk', 'remove'],
  ['/data/truncate', 'truncate'],
]);

const ADMINS: readonly LegacyRole[] = ['OWNER', 'BACKEND_CODE'];

function refuse(role: LegacyRole, action: LegacyAction, collectionId?: string): never {
  const what = collectionId === undefined ? action : `${action} on collection ${collectionId.slice(0, 256)}`;
  throw new ForbiddenError(`role ${role} may not ${what}`);
}

export async function authorizeLegacy(path: string, envelope: LegacyEnvelope, deps: Deps): Promise<void> {
  const action = LEGACY_ACTIONS.get(path);
  if (action === undefined) throw new ForbiddenError(`no access rule for ${path.slice(0, 200)}`);
  if (action === 'none') return;
  const role = envelope.role;
  if (role === undefined || role === null || role === '')
    throw new UnauthorizedError('MISSING_ROLE', 'requestContext.role is missing');
  if (!isLegacyRole(role))
    throw new UnauthorizedError(
      'UNKNOWN_ROLE',
      'requestContext.role must be OWNER, BACKEND_CODE, MEMBER or VISITOR',
    );
  if (action === 'schemaRead') return;
  // Every permission admits the site owner and backend code: no need to read the collection.
  if (ADMINS.includes(role)) return;
  if (action === 'schemaWrite' || action === 'truncate') refuse(role, action);

  const name = envelope.request.collectionName;
  const collectionId = typeof name === 'string' && name.length > 0 && name.length <= 256 ? name : undefined;
  // One eventually consistent read (0.5 capacity units) for members and visitors only; a name that
  // is not a valid id falls back to the configured default and the operation answers its 400.
  // An attached table (ATTACH_TABLES) has no stored permissions, and its id hides an own collection
  // of the same id (service/sources.ts), so that collection's permissions must not govern it: the
  // built-in policy and LEGACY_PERMISSIONS do.
  const tenant = envelope.context.tenant;
  const attached =
    collectionId !== undefined && attachedFor(deps.config.attachTables, tenant, collectionId) !== undefined;
  const stored =
    collectionId === undefined || attached
      ? undefined
      : await getCollection(deps.db, tenant, collectionId, false);
  const permission = permissionFor(
    action,
    collectionId ?? '',
    stored?.record.permissions,
    deps.config.legacyPermissions,
  );
  if (!rolesFor(permission, action).includes(role)) refuse(role, action, collectionId);
}
