import type { Pool } from 'pg';
import type { Workspace } from './tenants';
import { KEY_LIMIT_COLUMNS, keyLimitsFromRow, type KeyLimitRow, type KeyLimits } from '../../spend';

/** What the hot path needs to know about a key; cached in memory by the key store. */
export interface ApiKeyRecord {
  id: string;
  lookupId: string;
  keyHash: Buffer;
  name: string;
  orgId: string;
  orgSlug: string;
  workspaceId: string;
  workspaceSlug: string;
  userId: string | null;
  allowedModels: string[] | null;
  expiresAt: number | null;
  revokedAt: number | null;
  /** Budget and rate limits set on the key itself (migration 030); cached with the record. */
  limits: KeyLimits;
  /** Data-plane routes the key may call (chat, messages, embeddings, models); null = all. */
  scopes: string[] | null;
}

export interface ApiKeyListing {
  id: string;
  name: string;
  prefix: string;
  workspace: string;
  allowedModels: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface KeyRow extends KeyLimitRow {
  metadata: { scopes?: unknown } | null;
  id: string; lookup_id: string; key_hash: Buffer; name: string; org_id: string; org_slug: string;
  workspace_id: string; workspace_slug: string; user_id: string | null; allowed_models: string[] | null;
  expires_at: Date | null; revoked_at: Date | null;
}

const SELECT_KEY = `
  SELECT k.id, k.lookup_id, k.key_hash, k.name, k.org_id, o.slug AS org_slug, k.workspace_id,
         w.slug AS workspace_slug, k.user_id, k.allowed_models, k.expires_at, k.revoked_at, k.metadata, ${KEY_LIMIT_COLUMNS}
    FROM api_keys k
    JOIN workspaces w ON w.id = k.workspace_id
    JOIN organisations o ON o.id = k.org_id`;

function toRecord(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id, lookupId: r.lookup_id, keyHash: r.key_hash, name: r.name, orgId: r.org_id, orgSlug: r.org_slug,
    workspaceId: r.workspace_id, workspaceSlug: r.workspace_slug, userId: r.user_id, allowedModels: r.allowed_models,
    expiresAt: r.expires_at ? r.expires_at.getTime() : null, revokedAt: r.revoked_at ? r.revoked_at.getTime() : null,
    limits: keyLimitsFromRow(r),
    scopes: Array.isArray(r.metadata?.scopes) ? r.metadata!.scopes.filter((x): x is string => typeof x === 'string') : null,
  };
}

export async function findKeyByLookupId(pool: Pool, lookupId: string): Promise<ApiKeyRecord | null> {
  const { rows } = await pool.query<KeyRow>(`${SELECT_KEY} WHERE k.lookup_id = $1`, [lookupId]);
  return rows.length ? toRecord(rows[0]) : null;
}

export interface InsertKeyInput {
  workspace: Workspace;
  name: string;
  lookupId: string;
  hash: Buffer;
  allowedModels?: string[] | null;
  expiresAt?: Date | null;
  metadata?: Record<string, unknown>;
}

export async function insertKey(pool: Pool, input: InsertKeyInput): Promise<ApiKeyRecord> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO api_keys (org_id, workspace_id, name, lookup_id, key_hash, allowed_models, expires_at, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [input.workspace.orgId, input.workspace.id, input.name, input.lookupId, input.hash,
      input.allowedModels ?? null, input.expiresAt ?? null, JSON.stringify(input.metadata ?? {})],
  );
  const record = await findKeyByLookupId(pool, input.lookupId);
  if (!record || record.id !== rows[0].id) throw new Error('inserted key could not be read back');
  return record;
}

/** Lists keys of one workspace (tenant-scoped), never their hashes. */
export async function listKeys(pool: Pool, workspace: Workspace, includeRevoked = false): Promise<ApiKeyListing[]> {
  const { rows } = await pool.query(
    `SELECT id, name, lookup_id, allowed_models, created_at, expires_at, revoked_at, last_used_at
       FROM api_keys WHERE workspace_id = $1 AND ($2 OR revoked_at IS NULL) ORDER BY created_at`,
    [workspace.id, includeRevoked],
  );
  return rows.map((r) => ({
    id: r.id, name: r.name, prefix: `gh_${r.lookup_id}…`, workspace: `${workspace.orgSlug}/${workspace.slug}`,
    allowedModels: r.allowed_models, createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  }));
}

/** Revokes by id or by lookup prefix; returns the lookup id to broadcast, or null when nothing matched. */
export async function revokeKey(pool: Pool, idOrPrefix: string, workspace?: Workspace): Promise<string | null> {
  const lookup = idOrPrefix.replace(/^gh_/, '').replace(/…$/, '');
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
  const { rows } = await pool.query<{ lookup_id: string }>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
      WHERE ${isUuid ? 'id = $1::uuid' : 'lookup_id = $1'} AND ($2::uuid IS NULL OR workspace_id = $2)
      RETURNING lookup_id`,
    [isUuid ? idOrPrefix : lookup, workspace?.id ?? null],
  );
  return rows.length ? rows[0].lookup_id : null;
}

/** Batched last-use bookkeeping, so the hot path never writes per request. */
export async function touchKeys(pool: Pool, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await pool.query('UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::uuid[])', [ids]);
}
