import type { AdminScope } from '../../authz';
import type { Queryable } from './directory';

/** Admin API tokens and SCIM tokens: hashes at rest, found by lookup id, always scoped to an org. */

export interface AdminTokenRecord {
  id: string;
  orgId: string;
  userId: string | null;
  localAdminId: string | null;
  name: string;
  lookupId: string;
  tokenHash: Buffer;
  scopes: AdminScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** What listings show: never the hash. */
export type AdminTokenListing = Omit<AdminTokenRecord, 'tokenHash'> & { prefix: string };

interface AdminTokenRow {
  id: string; org_id: string; user_id: string | null; local_admin_id: string | null; name: string; lookup_id: string; token_hash: Buffer;
  scopes: AdminScope[]; created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null;
}

const toAdminToken = (r: AdminTokenRow): AdminTokenRecord => ({
  id: r.id, orgId: r.org_id, userId: r.user_id, localAdminId: r.local_admin_id, name: r.name, lookupId: r.lookup_id,
  tokenHash: r.token_hash, scopes: r.scopes, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null, lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

export function adminTokenListing(t: AdminTokenRecord): AdminTokenListing {
  const { tokenHash: _hash, ...rest } = t;
  return { ...rest, prefix: `gha_${t.lookupId}…` };
}

export interface InsertAdminToken {
  orgId: string;
  owner: { userId: string } | { localAdminId: string };
  name: string;
  lookupId: string;
  hash: Buffer;
  scopes: readonly AdminScope[];
  expiresAt: Date | null;
}

export async function insertAdminToken(db: Queryable, input: InsertAdminToken): Promise<AdminTokenRecord> {
  const { rows } = await db.query<AdminTokenRow>(
    `INSERT INTO admin_tokens (org_id, user_id, local_admin_id, name, lookup_id, token_hash, scopes, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [input.orgId, 'userId' in input.owner ? input.owner.userId : null, 'localAdminId' in input.owner ? input.owner.localAdminId : null,
      input.name, input.lookupId, input.hash, [...input.scopes], input.expiresAt]);
  return toAdminToken(rows[0]);
}

export async function findAdminTokenByLookup(db: Queryable, lookupId: string): Promise<AdminTokenRecord | null> {
  const { rows } = await db.query<AdminTokenRow>('SELECT * FROM admin_tokens WHERE lookup_id = $1', [lookupId]);
  return rows.length ? toAdminToken(rows[0]) : null;
}

export async function findAdminToken(db: Queryable, orgId: string, id: string): Promise<AdminTokenRecord | null> {
  const { rows } = await db.query<AdminTokenRow>('SELECT * FROM admin_tokens WHERE org_id = $1 AND id = $2', [orgId, id]);
  return rows.length ? toAdminToken(rows[0]) : null;
}

export async function listAdminTokens(db: Queryable, orgId: string): Promise<AdminTokenRecord[]> {
  const { rows } = await db.query<AdminTokenRow>('SELECT * FROM admin_tokens WHERE org_id = $1 ORDER BY created_at', [orgId]);
  return rows.map(toAdminToken);
}

export async function revokeAdminToken(db: Queryable, orgId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE admin_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE org_id = $1 AND id = $2', [orgId, id]);
  return (rowCount ?? 0) > 0;
}

export async function touchAdminToken(db: Queryable, id: string): Promise<void> {
  // At most one write a minute per token: automation may call the API in tight loops.
  await db.query(`UPDATE admin_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [id]);
}

export interface ScimTokenRecord {
  id: string;
  orgId: string;
  name: string;
  lookupId: string;
  tokenHash: Buffer;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface ScimTokenRow { id: string; org_id: string; name: string; lookup_id: string; token_hash: Buffer; created_at: Date; revoked_at: Date | null; last_used_at: Date | null }

const toScimToken = (r: ScimTokenRow): ScimTokenRecord => ({
  id: r.id, orgId: r.org_id, name: r.name, lookupId: r.lookup_id, tokenHash: r.token_hash, createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null, lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

export async function insertScimToken(db: Queryable, orgId: string, name: string, lookupId: string, hash: Buffer): Promise<ScimTokenRecord> {
  const { rows } = await db.query<ScimTokenRow>(
    'INSERT INTO scim_tokens (org_id, name, lookup_id, token_hash) VALUES ($1, $2, $3, $4) RETURNING *', [orgId, name, lookupId, hash]);
  return toScimToken(rows[0]);
}

export async function findScimTokenByLookup(db: Queryable, lookupId: string): Promise<ScimTokenRecord | null> {
  const { rows } = await db.query<ScimTokenRow>('SELECT * FROM scim_tokens WHERE lookup_id = $1', [lookupId]);
  return rows.length ? toScimToken(rows[0]) : null;
}

export async function listScimTokens(db: Queryable, orgId: string): Promise<ScimTokenRecord[]> {
  const { rows } = await db.query<ScimTokenRow>('SELECT * FROM scim_tokens WHERE org_id = $1 ORDER BY created_at', [orgId]);
  return rows.map(toScimToken);
}

export async function revokeScimToken(db: Queryable, orgId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE org_id = $1 AND id = $2', [orgId, id]);
  return (rowCount ?? 0) > 0;
}

export async function touchScimToken(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE scim_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [id]);
}
