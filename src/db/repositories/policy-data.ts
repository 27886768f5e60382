import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../pool';

/** One Rego source file of a scope's custom policy (`*_test.rego` files are tests, never compiled live). */
export interface StoredPolicyModule {
  path: string;
  source: string;
}

/** A published version of an organisation's or workspace's policy (immutable). */
export interface PolicyDataVersion {
  version: number;
  data: Record<string, unknown>;
  /** Custom Rego modules (package gateway.custom.<name>), tests included. */
  modules: StoredPolicyModule[];
  /** An OPA wasm policy (bundle or bare policy.wasm) replacing the built-in decision, or null. */
  wasm: Buffer | null;
  createdBy: string;
  createdAt: string;
  /** The reviewed draft it was published from (null: written directly, e.g. by the CLI). */
  draftId: number | null;
  /** The version a rollback copied. */
  rollbackOf: number | null;
  note: string | null;
}

const SCOPE = `org_id = $1 AND workspace_id IS NOT DISTINCT FROM $2::uuid`;
const VERSION_COLUMNS = 'version, data, modules, wasm, created_by, created_at, draft_id, rollback_of, note';

interface VersionRow {
  version: number; data: Record<string, unknown>; modules: StoredPolicyModule[] | null; wasm: Buffer | null; created_by: string;
  created_at: Date; draft_id: string | number | null; rollback_of: number | null; note: string | null;
}

const versionOf = (r: VersionRow): PolicyDataVersion => ({
  version: r.version, data: r.data, modules: r.modules ?? [], wasm: r.wasm, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
  draftId: r.draft_id === null ? null : Number(r.draft_id), rollbackOf: r.rollback_of, note: r.note,
});

/** The version in force for an organisation (workspaceId null) or a workspace; null when none was written. */
export async function currentPolicyData(pool: Pool, orgId: string, workspaceId: string | null): Promise<PolicyDataVersion | null> {
  const { rows } = await pool.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM policy_data_versions WHERE ${SCOPE} ORDER BY version DESC LIMIT 1`,
    [orgId, workspaceId],
  );
  return rows.length === 0 ? null : versionOf(rows[0]);
}

/** One published version of a scope; null when it does not exist. */
export async function policyDataVersion(pool: Pool | PoolClient, orgId: string, workspaceId: string | null, version: number): Promise<PolicyDataVersion | null> {
  const { rows } = await pool.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM policy_data_versions WHERE ${SCOPE} AND version = $3`, [orgId, workspaceId, version]);
  return rows.length === 0 ? null : versionOf(rows[0]);
}

/** Published history of a scope, newest first (without wasm bytes: `kind` says whether there is one). */
export async function listPolicyDataVersions(
  pool: Pool, orgId: string, workspaceId: string | null, limit = 200,
): Promise<Array<Omit<PolicyDataVersion, 'data' | 'modules' | 'wasm'> & { kind: 'rego' | 'wasm'; moduleCount: number }>> {
  const { rows } = await pool.query<VersionRow & { has_wasm: boolean; module_count: number }>(
    `SELECT version, NULL::jsonb AS data, NULL::jsonb AS modules, NULL::bytea AS wasm, created_by, created_at, draft_id, rollback_of, note,
            wasm IS NOT NULL AS has_wasm, jsonb_array_length(modules) AS module_count
       FROM policy_data_versions WHERE ${SCOPE} ORDER BY version DESC LIMIT $3`,
    [orgId, workspaceId, limit],
  );
  return rows.map((r) => {
    const { data: _d, modules: _m, wasm: _w, ...rest } = versionOf(r);
    return { ...rest, kind: r.has_wasm ? 'wasm' : 'rego', moduleCount: Number(r.module_count) };
  });
}

/**
 * Current version numbers of both levels, and the draft shadowing the workspace (0: none), in one
 * round trip (the cheap freshness check).
 */
export async function policyDataVersions(pool: Pool, orgId: string, workspaceId: string): Promise<{ org: number; workspace: number; shadowDraft: number }> {
  const { rows } = await pool.query(
    `SELECT COALESCE(MAX(version) FILTER (WHERE workspace_id IS NULL), 0) AS org,
            COALESCE(MAX(version) FILTER (WHERE workspace_id = $2), 0) AS workspace,
            COALESCE((SELECT draft_id FROM policy_shadows WHERE org_id = $1 AND workspace_id = $2), 0) AS shadow
       FROM policy_data_versions WHERE org_id = $1 AND (workspace_id IS NULL OR workspace_id = $2)`,
    [orgId, workspaceId],
  );
  return { org: Number(rows[0].org), workspace: Number(rows[0].workspace), shadowDraft: Number(rows[0].shadow) };
}

/**
 * Appends a new version with new data (serialised per scope by an advisory lock) and returns its
 * number. The scope's custom Rego and wasm policy are carried over from the version in force: a
 * data-only change (`gatehouse policy set-data`) must not silently drop reviewed rules.
 */
export async function insertPolicyData(
  pool: Pool, orgId: string, workspaceId: string | null, data: unknown, createdBy: string,
): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('policy_data:' || $1 || ':' || COALESCE($2, '')))`, [orgId, workspaceId]);
    const { rows } = await client.query(
      `INSERT INTO policy_data_versions (org_id, workspace_id, version, data, created_by, modules, wasm)
       SELECT $1, $2::uuid, COALESCE(MAX(version), 0) + 1, $3, $4,
              COALESCE((SELECT modules FROM policy_data_versions WHERE ${SCOPE} ORDER BY version DESC LIMIT 1), '[]'::jsonb),
              (SELECT wasm FROM policy_data_versions WHERE ${SCOPE} ORDER BY version DESC LIMIT 1)
         FROM policy_data_versions WHERE ${SCOPE}
       RETURNING version`,
      [orgId, workspaceId, JSON.stringify(data), createdBy],
    );
    return rows[0].version as number;
  });
}

/** A secret generated once per installation (first caller wins under concurrency). */
export async function instanceSecret(pool: Pool, name: string): Promise<Buffer> {
  await pool.query('INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
  const { rows } = await pool.query('SELECT value FROM instance_secrets WHERE name = $1', [name]);
  return rows[0].value as Buffer;
}
