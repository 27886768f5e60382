import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** GET /admin/v1/me */
export interface Me {
  kind: 'user' | 'local_admin';
  id: string;
  label: string;
  org_id: string | null;
  platform_admin: boolean;
  via: 'session' | 'token';
  grants: Array<{ role: Role; org_id: string; workspace_id: string | null }>;
  csrf_token: string | null;
}

export type Role = 'owner' | 'admin' | 'policy_author' | 'policy_approver' | 'auditor' | 'developer';

export interface Org { id: string; slug: string; name: string; created_at: string }
export interface Workspace { id: string; slug: string; name: string; created_at: string }

export const SessionContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('no session');
  return me;
}

/**
 * What the signed-in user may do, mirrored from src/authz/roles.ts to show or hide controls.
 * The API decides in the end; a hidden button only spares a 403.
 */
export function rolesIn(me: Me, orgId: string, workspaceId: string | null): Set<Role> {
  const roles = new Set<Role>();
  for (const g of me.grants) {
    if (g.org_id !== orgId) continue;
    if (g.role === 'owner') roles.add('owner');
    else if (workspaceId && g.workspace_id === workspaceId) roles.add(g.role);
  }
  return roles;
}

export function isOwner(me: Me, orgId: string): boolean {
  return me.platform_admin || me.grants.some((g) => g.org_id === orgId && g.role === 'owner');
}

export type PolicyAction = 'read' | 'create' | 'update' | 'approve' | 'publish';
const POLICY: Record<Role, readonly PolicyAction[]> = {
  owner: ['read', 'create', 'update', 'approve', 'publish'],
  admin: ['read', 'create', 'update', 'approve', 'publish'],
  policy_author: ['read', 'create', 'update'],
  policy_approver: ['read', 'approve', 'publish'],
  auditor: [],
  developer: [],
};

/** Policy rights in a scope: the organisation's defaults (owners only) or a workspace. */
export function policyRights(me: Me, orgId: string, workspaceId: string | null): Set<PolicyAction> {
  const rights = new Set<PolicyAction>();
  const roles = rolesIn(me, orgId, workspaceId);
  for (const r of roles) {
    if (!workspaceId && r !== 'owner') continue;
    for (const a of POLICY[r]) rights.add(a);
  }
  return rights;
}

export function canIn(me: Me, orgId: string, workspaceId: string | null, roles: readonly Role[]): boolean {
  const held = rolesIn(me, orgId, workspaceId);
  return held.has('owner') || roles.some((r) => held.has(r));
}
