import type { Action, SubjectName } from './roles';

/**
 * Admin API token scopes. A token acts with its creator's current rights, narrowed to these
 * scopes: a scope names the (subject, actions) pairs it lets through, never more than that.
 */
export const SCOPE_GRANTS = {
  'organisations:read': [['Organisation', ['read']]],
  'organisations:write': [['Organisation', ['create', 'update']]],
  'workspaces:read': [['Workspace', ['read']]],
  'workspaces:write': [['Workspace', ['create', 'update']]],
  'members:read': [['Member', ['read']], ['User', ['read']]],
  'members:write': [['Member', ['create', 'delete']], ['User', ['update']]],
  'keys:read': [['ApiKey', ['read']]],
  'keys:write': [['ApiKey', ['create', 'update', 'delete']]],
  'catalog:read': [['CatalogEndpoint', ['read']]],
  'catalog:write': [['CatalogEndpoint', ['update', 'delete']]],
  'spend:read': [['Spend', ['read']]],
  'audit:read': [['AuditLog', ['read']]],
  'audit:export': [['AuditLog', ['export']]],
  'policies:read': [['Policy', ['read']]],
  'policies:write': [['Policy', ['create', 'update']]],
  'policies:approve': [['Policy', ['approve', 'publish']]],
  'sso:read': [['SsoConnection', ['read']], ['ScimToken', ['read']]],
  'sso:write': [['SsoConnection', ['update', 'delete']], ['ScimToken', ['create', 'delete']]],
  'tokens:read': [['AdminToken', ['read']]],
  'tokens:write': [['AdminToken', ['create', 'delete']]],
} as const satisfies Record<string, ReadonlyArray<readonly [SubjectName, readonly Action[]]>>;

export type AdminScope = keyof typeof SCOPE_GRANTS;
export const ADMIN_SCOPES = Object.keys(SCOPE_GRANTS) as AdminScope[];

export function isAdminScope(value: unknown): value is AdminScope {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SCOPE_GRANTS, value);
}

/** `subject:action` pairs the scopes allow, for a quick membership test while building rules. */
export function scopeFilter(scopes: readonly AdminScope[]): (subject: SubjectName, action: Action) => boolean {
  const allowed = new Set<string>();
  for (const scope of scopes) {
    for (const [subject, actions] of SCOPE_GRANTS[scope]) for (const action of actions) allowed.add(`${subject}:${action}`);
  }
  return (subject, action) => allowed.has(`${subject}:${action}`);
}
