import type { Pool, PoolClient } from 'pg';
import type { Grant, Role } from '../../authz';

/** A pool or a client inside a transaction. */
export type Queryable = Pool | PoolClient;
export type MembershipSource = 'manual' | 'sso' | 'scim';

export interface UserRecord {
  id: string;
  orgId: string;
  email: string;
  displayName: string | null;
  active: boolean;
  idpSubject: string | null;
  externalId: string | null;
  idpGroups: string[];
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface MemberRecord {
  userId: string;
  email: string;
  displayName: string | null;
  active: boolean;
  workspaceId: string | null;
  role: Role;
  sources: MembershipSource[];
}

const USER_COLUMNS = `id, org_id, email, display_name, active, idp_subject, external_id, idp_groups, created_at, updated_at, last_login_at`;

interface UserRow {
  id: string; org_id: string; email: string; display_name: string | null; active: boolean; idp_subject: string | null;
  external_id: string | null; idp_groups: string[]; created_at: Date; updated_at: Date; last_login_at: Date | null;
}

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id, orgId: r.org_id, email: r.email, displayName: r.display_name, active: r.active, idpSubject: r.idp_subject,
    externalId: r.external_id, idpGroups: r.idp_groups, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
  };
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
export const isEmail = (value: unknown): value is string => typeof value === 'string' && value.length <= 320 && EMAIL_SHAPE.test(value.trim());

export async function findUser(db: Queryable, orgId: string, userId: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2`, [orgId, userId]);
  return rows.length ? toUser(rows[0]) : null;
}

export async function findUserByEmail(db: Queryable, orgId: string, email: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND lower(email) = $2`, [orgId, normaliseEmail(email)]);
  return rows.length ? toUser(rows[0]) : null;
}

export async function findUserBySubject(db: Queryable, orgId: string, subject: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND idp_subject = $2`, [orgId, subject]);
  return rows.length ? toUser(rows[0]) : null;
}

export async function listUsers(db: Queryable, orgId: string): Promise<UserRecord[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 ORDER BY lower(email)`, [orgId]);
  return rows.map(toUser);
}

/** Finds the user by e-mail or creates it (manual membership grants, SCIM, JIT). */
export async function ensureUser(db: Queryable, orgId: string, email: string, displayName: string | null = null): Promise<UserRecord> {
  const existing = await findUserByEmail(db, orgId, email);
  if (existing) return existing;
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (org_id, email, display_name) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, email) DO UPDATE SET updated_at = now() RETURNING ${USER_COLUMNS}`,
    [orgId, normaliseEmail(email), displayName],
  );
  return toUser(rows[0]);
}

export async function setUserActive(db: Queryable, orgId: string, userId: string, active: boolean): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET active = $3, updated_at = now() WHERE org_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`, [orgId, userId, active]);
  return rows.length ? toUser(rows[0]) : null;
}

/** The roles an active user holds now (any source), deduplicated. Inactive users hold none. */
export async function grantsOfUser(db: Queryable, orgId: string, userId: string): Promise<Grant[]> {
  const { rows } = await db.query<{ role: Role; workspace_id: string | null }>(
    `SELECT DISTINCT m.role, m.workspace_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
      WHERE m.org_id = $1 AND m.user_id = $2 AND u.active`, [orgId, userId]);
  return rows.map((r) => ({ role: r.role, orgId, workspaceId: r.workspace_id }));
}

/** Members of an organisation (workspaceId undefined), of its owners (null) or of one workspace. */
export async function listMembers(db: Queryable, orgId: string, workspaceId?: string | null): Promise<MemberRecord[]> {
  const { rows } = await db.query<{
    user_id: string; email: string; display_name: string | null; active: boolean; workspace_id: string | null; role: Role; sources: MembershipSource[];
  }>(
    `SELECT m.user_id, u.email, u.display_name, u.active, m.workspace_id, m.role, array_agg(m.source ORDER BY m.source) AS sources
       FROM memberships m JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
      WHERE m.org_id = $1 AND ($2::boolean OR m.workspace_id IS NOT DISTINCT FROM $3::uuid)
      GROUP BY m.user_id, u.email, u.display_name, u.active, m.workspace_id, m.role
      ORDER BY lower(u.email), m.role`,
    [orgId, workspaceId === undefined, workspaceId ?? null],
  );
  return rows.map((r) => ({
    userId: r.user_id, email: r.email, displayName: r.display_name, active: r.active, workspaceId: r.workspace_id, role: r.role, sources: r.sources,
  }));
}

export interface MembershipInput {
  orgId: string;
  workspaceId: string | null;
  userId: string;
  role: Role;
}

/** Returns false when the grant already existed from this source. */
export async function addMembership(db: Queryable, input: MembershipInput, source: MembershipSource): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO memberships (org_id, workspace_id, user_id, role, source) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`, [input.orgId, input.workspaceId, input.userId, input.role, source]);
  return (rowCount ?? 0) > 0;
}

/** Removes a role whatever granted it; returns how many grant rows went. */
export async function removeMembership(db: Queryable, input: MembershipInput): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM memberships WHERE org_id = $1 AND workspace_id IS NOT DISTINCT FROM $2::uuid AND user_id = $3 AND role = $4`,
    [input.orgId, input.workspaceId, input.userId, input.role]);
  return rowCount ?? 0;
}

export async function countOwners(db: Queryable, orgId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT m.user_id)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
      WHERE m.org_id = $1 AND m.role = 'owner' AND u.active`, [orgId]);
  return rows[0].n;
}

export interface GrantDiff {
  added: Grant[];
  removed: Grant[];
}

const grantKey = (g: { role: string; workspaceId: string | null }): string => `${g.role}@${g.workspaceId ?? ''}`;

/**
 * Makes the user's grants from `source` exactly `grants` (an SSO login or a SCIM group change):
 * roles the IdP no longer grants are removed, new ones added; other sources are untouched.
 */
export async function replaceSourcedGrants(
  db: Queryable, orgId: string, userId: string, source: MembershipSource, grants: readonly Grant[],
): Promise<GrantDiff> {
  const { rows } = await db.query<{ role: Role; workspace_id: string | null }>(
    'SELECT role, workspace_id FROM memberships WHERE org_id = $1 AND user_id = $2 AND source = $3', [orgId, userId, source]);
  const current = new Map(rows.map((r) => [grantKey({ role: r.role, workspaceId: r.workspace_id }), r]));
  const wanted = new Map(grants.map((g) => [grantKey(g), g]));
  const diff: GrantDiff = { added: [], removed: [] };
  for (const [key, row] of current) {
    if (wanted.has(key)) continue;
    await db.query(
      `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 AND source = $3 AND role = $4 AND workspace_id IS NOT DISTINCT FROM $5::uuid`,
      [orgId, userId, source, row.role, row.workspace_id]);
    diff.removed.push({ role: row.role, orgId, workspaceId: row.workspace_id });
  }
  for (const [key, grant] of wanted) {
    if (current.has(key)) continue;
    await addMembership(db, { orgId, workspaceId: grant.workspaceId, userId, role: grant.role }, source);
    diff.added.push(grant);
  }
  return diff;
}

export { inTransaction } from '../../db';
