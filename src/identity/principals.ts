import type { Pool } from 'pg';
import { isAdminScope, type Principal } from '../authz';
import { findUser, grantsOfUser } from './repositories/directory';
import { findAdminTokenByLookup, touchAdminToken } from './repositories/credentials';
import { findLocalAdminById } from './repositories/local-admins';
import { tokenLookupId, tokenMatches } from './opaque-token';

/** A reference to who is logged in, as kept in a session: `user:<uuid>` or `local:<uuid>`. */
export type PrincipalRef = { kind: 'user'; orgId: string; id: string } | { kind: 'local_admin'; id: string };

export const principalKey = (ref: PrincipalRef): string => (ref.kind === 'user' ? `user:${ref.id}` : `local:${ref.id}`);

/**
 * Loads the principal afresh (every admin request): roles granted or withdrawn, users deactivated
 * and break-glass accounts disabled take effect at the next request, not at the next login.
 */
export async function loadPrincipal(pool: Pool, ref: PrincipalRef): Promise<Principal | null> {
  if (ref.kind === 'user') {
    const user = await findUser(pool, ref.orgId, ref.id);
    if (!user || !user.active) return null;
    return {
      kind: 'user', id: user.id, label: user.email, orgId: user.orgId, platformAdmin: false,
      grants: await grantsOfUser(pool, user.orgId, user.id),
    };
  }
  const admin = await findLocalAdminById(pool, ref.id);
  if (!admin || admin.disabled) return null;
  return {
    kind: 'local_admin', id: admin.id, label: `break-glass:${admin.username}`, orgId: admin.orgId, platformAdmin: admin.orgId === null,
    grants: admin.orgId ? [{ role: 'owner', orgId: admin.orgId, workspaceId: null }] : [],
  };
}

export type AdminTokenFailure = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'owner_inactive';

export type AdminTokenAuth = { ok: true; principal: Principal } | { ok: false; reason: AdminTokenFailure };

/** Bearer admin token → its creator's current rights narrowed to the token's scopes. */
export async function authenticateAdminToken(pool: Pool, presented: string): Promise<AdminTokenAuth> {
  const lookupId = tokenLookupId('gha_', presented);
  if (!lookupId) return { ok: false, reason: 'malformed' };
  const token = await findAdminTokenByLookup(pool, lookupId);
  if (!token || !tokenMatches(presented, token.tokenHash)) return { ok: false, reason: 'unknown' };
  if (token.revokedAt) return { ok: false, reason: 'revoked' };
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return { ok: false, reason: 'expired' };
  const owner: PrincipalRef = token.userId
    ? { kind: 'user', orgId: token.orgId, id: token.userId }
    : { kind: 'local_admin', id: token.localAdminId! };
  const principal = await loadPrincipal(pool, owner);
  if (!principal) return { ok: false, reason: 'owner_inactive' };
  await touchAdminToken(pool, token.id).catch(() => undefined);
  // A platform administrator's token is still bound to the organisation it was made for.
  const bound: Principal = principal.platformAdmin
    ? { ...principal, platformAdmin: false, grants: [{ role: 'owner', orgId: token.orgId, workspaceId: null }] }
    : principal;
  return { ok: true, principal: { ...bound, token: { id: token.id, scopes: token.scopes.filter(isAdminScope) } } };
}
