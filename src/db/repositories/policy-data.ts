import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

export interface PolicyDataVersion {
  version: number;
  data: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
}

const SCOPE = `org_id = $1 AND workspace_id IS NOT DISTINCT FROM $2::uuid`;

/** The version in force for an organisation (workspaceId null) or a workspace; null when none was written. */
export async function currentPolicyData(pool: Pool, orgId: string, workspaceId: string | null): Promise<PolicyDataVersion | null> {
  const { rows } = await pool.query(
    `SELECT version, data, created_by, created_at FROM policy_data_versions WHERE ${SCOPE} ORDER BY version DESC LIMIT 1`,
    [orgId, workspaceId],
  );
  if (rows.length === 0) return null;
  return { version: rows[0].version, data: rows[0].data, createdBy: rows[0].created_by, createdAt: rows[0].created_at.toISOString() };
}

/** Current version numbers of both levels in one round trip (the cheap freshness check). */
export async function policyDataVersions(pool: Pool, orgId: string, workspaceId: string): Promise<{ org: number; workspace: number }> {
  const { rows } = await pool.query(
    `SELECT COALESCE(MAX(version) FILTER (WHERE workspace_id IS NULL), 0) AS org,
            COALESCE(MAX(version) FILTER (WHERE workspace_id = $2), 0) AS workspace
       FROM policy_data_versions WHERE org_id = $1 AND (workspace_id IS NULL OR workspace_id = $2)`,
    [orgId, workspaceId],
  );
  return { org: Number(rows[0].org), workspace: Number(rows[0].workspace) };
}

/** Appends a new version (serialised per scope by an advisory lock) and returns its number. */
export async function insertPolicyData(
  pool: Pool, orgId: string, workspaceId: string | null, data: unknown, createdBy: string,
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('policy_data:' || $1 || ':' || COALESCE($2, '')))`, [orgId, workspaceId]);
    const { rows } = await client.query(
      `INSERT INTO policy_data_versions (org_id, workspace_id, version, data, created_by)
       SELECT $1, $2::uuid, COALESCE(MAX(version), 0) + 1, $3, $4 FROM policy_data_versions WHERE ${SCOPE}
       RETURNING version`,
      [orgId, workspaceId, JSON.stringify(data), createdBy],
    );
    await client.query('COMMIT');
    return rows[0].version as number;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** A secret generated once per installation (first caller wins under concurrency). */
export async function instanceSecret(pool: Pool, name: string): Promise<Buffer> {
  await pool.query('INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
  const { rows } = await pool.query('SELECT value FROM instance_secrets WHERE name = $1', [name]);
  return rows[0].value as Buffer;
}
