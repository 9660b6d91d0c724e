/**
 * Who may do what through the legacy protocol. Wix hands a legacy adaptor the caller's
 * `requestContext.role` and leaves enforcement to it, so this is the whole policy: pure data and
 * pure functions, read by protocol/legacy/access.ts (the one place that enforces it) and by config.
 *
 * A permission is written in the V3 vocabulary (the lowest role allowed), so a collection's stored
 * `permissions` and the LEGACY_PERMISSIONS setting read the same way.
 */
import type { Role } from './collection';

/** The roles Wix sends in `requestContext.role`. */
export type LegacyRole = 'OWNER' | 'BACKEND_CODE' | 'MEMBER' | 'VISITOR';
export const LEGACY_ROLES: readonly LegacyRole[] = ['OWNER', 'BACKEND_CODE', 'MEMBER', 'VISITOR'];

/** What a legacy path does, as far as permissions go. */
export type LegacyAction =
  | 'none' // /provision: touches no data
  | 'schemaRead' // /schemas/list, /schemas/find: every role
  | 'schemaWrite' // /schemas/create, /schemas/column/*: site owner and backend code only
  | 'read'
  | 'insert'
  | 'update'
  | 'remove'
  | 'truncate'; // every item, whoever wrote it: site owner and backend code only

/** The actions a collection's permissions (or LEGACY_PERMISSIONS) can open or close. */
export type PermissionAction = 'read' | 'insert' | 'update' | 'remove';
export const PERMISSION_ACTIONS: readonly PermissionAction[] = ['read', 'insert', 'update', 'remove'];

export type Permissions = Partial<Record<PermissionAction, Role>>;

/** Per collection id, plus `*` for every collection that names none; a Map, so no id reaches a prototype. */
export type LegacyPermissions = ReadonlyMap<string, Permissions>;

/** Reads for everyone, writes for the site owner and backend code (issue 10, item 3). */
export const DEFAULT_PERMISSIONS: Required<Permissions> = {
  read: 'ANYONE',
  insert: 'ADMIN',
  update: 'ADMIN',
  remove: 'ADMIN',
};

const V3_ROLES: readonly Role[] = ['ADMIN', 'SITE_MEMBER_AUTHOR', 'SITE_MEMBER', 'ANYONE'];
const ADMINS: readonly LegacyRole[] = ['OWNER', 'BACKEND_CODE'];

/**
 * The legacy roles a V3 permission admits. SITE_MEMBER_AUTHOR means "members, on their own items":
 * the legacy protocol gives us no per-item owner check, so for read, update and remove it admits
 * only the site owner and backend code (never more than the collection allows); for insert, where
 * the member becomes the author of the new item, it admits members.
 */
export function rolesFor(permission: Role, action: PermissionAction): readonly LegacyRole[] {
  switch (permission) {
    case 'ANYONE':
      return LEGACY_ROLES;
    case 'SITE_MEMBER':
      return [...ADMINS, 'MEMBER'];
    case 'SITE_MEMBER_AUTHOR':
      return action === 'insert' ? [...ADMINS, 'MEMBER'] : ADMINS;
    default:
      return ADMINS;
  }
}

export function isLegacyRole(v: unknown): v is LegacyRole {
  return typeof v === 'string' && (LEGACY_ROLES as readonly string[]).includes(v);
}

/** The permission in force for one action: configuration for the collection, its own permissions, `*`, default. */
export function permissionFor(
  action: PermissionAction,
  collectionId: string,
  stored: Record<string, unknown> | undefined,
  configured: LegacyPermissions,
): Role {
  const own = configured.get(collectionId)?.[action];
  if (own) return own;
  const fromRecord = stored && Object.hasOwn(stored, action) ? stored[action] : undefined;
  if (typeof fromRecord === 'string' && (V3_ROLES as readonly string[]).includes(fromRecord))
    return fromRecord as Role;
  return configured.get('*')?.[action] ?? DEFAULT_PERMISSIONS[action];
}

/**
 * LEGACY_PERMISSIONS: JSON `{"<collection id>" | "*": {"read"|"insert"|"update"|"remove": V3 role}}`.
 * `fail` builds the error to throw (config passes its ConfigError, so a typo stops the start).
 */
export function parseLegacyPermissions(
  raw: string | undefined,
  fail: (message: string) => Error,
): LegacyPermissions {
  const out = new Map<string, Permissions>();
  if (!raw || !raw.trim()) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail('LEGACY_PERMISSIONS is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw fail('LEGACY_PERMISSIONS must be a JSON object keyed by collection id (or *)');
  for (const [collectionId, perms] of Object.entries(parsed)) {
    if (typeof perms !== 'object' || perms === null || Array.isArray(perms))
      throw fail(`LEGACY_PERMISSIONS.${collectionId} must be an object such as {"read":"ANYONE"}`);
    const entry: Permissions = {};
    for (const [action, role] of Object.entries(perms as Record<string, unknown>)) {
      if (!(PERMISSION_ACTIONS as readonly string[]).includes(action))
        throw fail(
          `LEGACY_PERMISSIONS.${collectionId}.${action}: the actions are ${PERMISSION_ACTIONS.join(', ')}`,
        );
      if (typeof role !== 'string' || !(V3_ROLES as readonly string[]).includes(role))
        throw fail(`LEGACY_PERMISSIONS.${collectionId}.${action}: the roles are ${V3_ROLES.join(', ')}`);
      entry[action as PermissionAction] = role as Role;
    }
    out.set(collectionId, Object.freeze(entry));
  }
  return out;
}
