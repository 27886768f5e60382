import type { PoolClient } from 'pg';
import { grantsForGroups, replaceSourcedGrants, type Queryable, type UserRecord } from '../../identity';

/** SCIM 2.0 (RFC 7643/7644) resource shapes and the group → role recomputation. */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export class ScimError extends Error {
  constructor(readonly status: number, message: string, readonly scimType?: string) {
    super(message);
  }
}

export function scimUser(u: UserRecord, base: string): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA], id: u.id, externalId: u.externalId ?? undefined, userName: u.email, displayName: u.displayName ?? undefined,
    name: u.displayName ? { formatted: u.displayName } : undefined, active: u.active,
    emails: [{ value: u.email, primary: true, type: 'work' }],
    meta: { resourceType: 'User', created: u.createdAt, lastModified: u.updatedAt, location: `${base}/Users/${u.id}` },
  };
}

export interface GroupRecord { id: string; displayName: string; externalId: string | null; createdAt: string; updatedAt: string; members: Array<{ id: string; email: string }> }

export async function loadGroups(db: Queryable, orgId: string, where: { id?: string; displayName?: string; externalId?: string } = {}): Promise<GroupRecord[]> {
  const { rows } = await db.query<{ id: string; display_name: string; external_id: string | null; created_at: Date; updated_at: Date; members: Array<{ id: string; email: string }> | null }>(
    `SELECT g.id, g.display_name, g.external_id, g.created_at, g.updated_at,
            (SELECT json_agg(json_build_object('id', u.id, 'email', u.email) ORDER BY u.email)
               FROM scim_group_members m JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id WHERE m.group_id = g.id) AS members
       FROM scim_groups g
      WHERE g.org_id = $1 AND ($2::uuid IS NULL OR g.id = $2) AND ($3::text IS NULL OR g.display_name = $3) AND ($4::text IS NULL OR g.external_id = $4)
      ORDER BY g.display_name`,
    [orgId, where.id ?? null, where.displayName ?? null, where.externalId ?? null]);
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, externalId: r.external_id, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), members: r.members ?? [] }));
}

export function scimGroup(g: GroupRecord, base: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA], id: g.id, displayName: g.displayName, externalId: g.externalId ?? undefined,
    members: g.members.map((m) => ({ value: m.id, display: m.email, $ref: `${base}/Users/${m.id}` })),
    meta: { resourceType: 'Group', created: g.createdAt, lastModified: g.updatedAt, location: `${base}/Groups/${g.id}` },
  };
}

/** Makes each user's SCIM-granted roles match the SCIM groups it is in now. */
export async function syncScimGrants(client: PoolClient, orgId: string, userIds: Iterable<string>): Promise<void> {
  for (const userId of new Set(userIds)) {
    const { rows } = await client.query<{ display_name: string }>(
      `SELECT g.display_name FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.org_id = $1 AND m.user_id = $2`, [orgId, userId]);
    const grants = await grantsForGroups(client, orgId, rows.map((r) => r.display_name));
    await replaceSourcedGrants(client, orgId, userId, 'scim', grants);
  }
}

/** Parses the SCIM filters IdPs actually send: `attr eq "value"` (userName, externalId, displayName, emails.value). */
export function parseEqFilter(filter: unknown, allowed: readonly string[]): { attribute: string; value: string } | null {
  if (filter === undefined) return null;
  if (typeof filter !== 'string') throw new ScimError(400, 'filter must be a string', 'invalidFilter');
  const m = /^\s*([A-Za-z.]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  if (!m) throw new ScimError(400, 'only `attribute eq "value"` filters are supported', 'invalidFilter');
  const attribute = allowed.find((a) => a.toLowerCase() === m[1].toLowerCase());
  if (!attribute) throw new ScimError(400, `filtering on ${m[1]} is not supported`, 'invalidFilter');
  return { attribute, value: m[2].replace(/\\(.)/g, '$1') };
}
