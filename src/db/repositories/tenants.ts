import type { Pool } from 'pg';

export interface Organisation { id: string; slug: string; name: string }
export interface Workspace { id: string; orgId: string; orgSlug: string; slug: string; name: string }

export async function upsertOrganisation(pool: Pool, slug: string, name: string): Promise<Organisation> {
  const { rows } = await pool.query<Organisation>(
    `INSERT INTO organisations (slug, name) VALUES ($1, $2)
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name
     RETURNING id, slug, name`,
    [slug, name],
  );
  return rows[0];
}

export async function upsertWorkspace(pool: Pool, org: Organisation, slug: string, name: string): Promise<Workspace> {
  const { rows } = await pool.query<{ id: string; slug: string; name: string }>(
    `INSERT INTO workspaces (org_id, slug, name) VALUES ($1, $2, $3)
     ON CONFLICT (org_id, slug) DO UPDATE SET name = EXCLUDED.name
     RETURNING id, slug, name`,
    [org.id, slug, name],
  );
  return { ...rows[0], orgId: org.id, orgSlug: org.slug };
}

/**
 * Finds a workspace by `slug` or `org/slug`. A bare slug that exists in several
 * organisations is ambiguous and refused rather than guessed.
 */
export async function findWorkspace(pool: Pool, ref: string): Promise<Workspace> {
  const [orgSlug, wsSlug] = ref.includes('/') ? ref.split('/', 2) : [null, ref];
  const { rows } = await pool.query<{ id: string; org_id: string; org_slug: string; slug: string; name: string }>(
    `SELECT w.id, w.org_id, o.slug AS org_slug, w.slug, w.name
       FROM workspaces w JOIN organisations o ON o.id = w.org_id
      WHERE w.slug = $1 AND ($2::text IS NULL OR o.slug = $2)`,
    [wsSlug, orgSlug],
  );
  if (rows.length === 0) throw new Error(`workspace "${ref}" not found`);
  if (rows.length > 1) throw new Error(`workspace slug "${ref}" exists in several organisations; use org/workspace`);
  const r = rows[0];
  return { id: r.id, orgId: r.org_id, orgSlug: r.org_slug, slug: r.slug, name: r.name };
}

export async function findOrganisation(pool: Pool, slug: string): Promise<Organisation> {
  const { rows } = await pool.query<Organisation>('SELECT id, slug, name FROM organisations WHERE slug = $1', [slug]);
  if (rows.length === 0) throw new Error(`organisation "${slug}" not found`);
  return rows[0];
}

export async function listWorkspaces(pool: Pool, orgSlug?: string): Promise<Workspace[]> {
  const { rows } = await pool.query(
    `SELECT w.id, w.org_id, o.slug AS org_slug, w.slug, w.name FROM workspaces w JOIN organisations o ON o.id = w.org_id
      WHERE ($1::text IS NULL OR o.slug = $1) ORDER BY o.slug, w.slug`, [orgSlug ?? null]);
  return rows.map((r) => ({ id: r.id, orgId: r.org_id, orgSlug: r.org_slug, slug: r.slug, name: r.name }));
}
