import type { Pool } from 'pg';
import { upsertOrganisation, upsertWorkspace, type Organisation, type Workspace } from '../../../src/db';
import { ADMIN_SCOPES, type AdminScope, type Role } from '../../../src/authz';
import { addMembership, ensureUser, generateToken, insertAdminToken, type UserRecord } from '../../../src/identity';

/** Test fixtures written straight to the database (the thing under test is the HTTP API). */
export interface Tenant {
  org: Organisation;
  workspaces: Record<string, Workspace>;
}

export async function createTenant(pool: Pool, slug: string, workspaceSlugs: string[]): Promise<Tenant> {
  const org = await upsertOrganisation(pool, slug, `${slug} inc`);
  const workspaces: Record<string, Workspace> = {};
  for (const ws of workspaceSlugs) workspaces[ws] = await upsertWorkspace(pool, org, ws, `${ws} workspace`);
  return { org, workspaces };
}

let counter = 0;
export const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${(counter += 1)}`;

export async function createUser(pool: Pool, orgId: string, email: string, grants: Array<{ role: Role; workspaceId: string | null }> = []): Promise<UserRecord> {
  const user = await ensureUser(pool, orgId, email);
  for (const g of grants) await addMembership(pool, { orgId, workspaceId: g.workspaceId, userId: user.id, role: g.role }, 'manual');
  return user;
}

export async function adminTokenFor(pool: Pool, orgId: string, userId: string, scopes: readonly AdminScope[] = ADMIN_SCOPES): Promise<{ id: string; token: string }> {
  const secret = generateToken('gha_');
  const record = await insertAdminToken(pool, { orgId, owner: { userId }, name: 'test', lookupId: secret.lookupId, hash: secret.hash, scopes, expiresAt: null });
  return { id: record.id, token: secret.token };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
