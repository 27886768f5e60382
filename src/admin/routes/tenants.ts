import { z } from 'zod';
import { can, isRole, WORKSPACE_ROLES, type Role } from '../../authz';
import {
  addMembership, countOwners, ensureUser, findUser, inTransaction, isEmail, listMembers, listUsers, removeMembership,
  setUserActive, type MemberRecord, type UserRecord,
} from '../../identity';
import { actorOf } from '../audit';
import { badRequest, conflict, forbidden, notFound } from '../http';
import { authorize, orgFor, param, uuidParam, workspaceFor, type AdminDeps, type AdminRoute } from './table';

const SLUG = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63');
const NAME = z.string().trim().min(1).max(200);

const orgBody = z.object({ slug: SLUG, name: NAME }).strict();
const orgPatch = z.object({ name: NAME }).strict();
const workspaceBody = z.object({ slug: SLUG, name: NAME }).strict();
const workspacePatch = z.object({ name: NAME }).strict();
const memberBody = z.object({
  email: z.string().refine(isEmail, 'must be an e-mail address'),
  role: z.enum(WORKSPACE_ROLES as [Role, ...Role[]]),
}).strict();
const ownerBody = z.object({ email: z.string().refine(isEmail, 'must be an e-mail address') }).strict();
const userPatch = z.object({ active: z.boolean() }).strict();

const userJson = (u: UserRecord) => ({
  id: u.id, email: u.email, display_name: u.displayName, active: u.active, external_id: u.externalId,
  idp_groups: u.idpGroups, created_at: u.createdAt, last_login_at: u.lastLoginAt,
});
const memberJson = (m: MemberRecord) => ({
  user_id: m.userId, email: m.email, display_name: m.displayName, active: m.active, role: m.role, sources: m.sources,
});

/**
 * Deactivation: the user's sessions end, its API keys are revoked (and the revocation broadcast to
 * every gateway), its admin tokens stop working because they act with the user's rights.
 */
export async function deactivateUser(deps: AdminDeps, orgId: string, userId: string): Promise<{ revokedKeys: number }> {
  await setUserActive(deps.pool, orgId, userId, false);
  await deps.sessions.destroyForUser(`user:${userId}`);
  const { rows } = await deps.pool.query<{ lookup_id: string }>(
    'UPDATE api_keys SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING lookup_id', [orgId, userId]);
  await Promise.all(rows.map((r) => deps.keys.publishInvalidation(r.lookup_id)));
  return { revokedKeys: rows.length };
}

export const tenantRoutes: AdminRoute[] = [
  {
    method: 'get', path: '/me', summary: 'Who is signed in, with roles and the CSRF token for cookie sessions', tag: 'session',
    permission: null, status: 200,
    async run(ctx, req) {
      const p = ctx.principal;
      return {
        kind: p.kind, id: p.id, label: p.label, org_id: p.orgId, platform_admin: p.platformAdmin, via: ctx.via,
        grants: p.grants.map((g) => ({ role: g.role, org_id: g.orgId, workspace_id: g.workspaceId })),
        scopes: p.token?.scopes ?? null,
        csrf_token: ctx.via === 'session' ? (req.session?.csrf ?? null) : null,
      };
    },
  },
  {
    method: 'get', path: '/orgs', summary: 'Organisations the caller can see', tag: 'organisations',
    permission: { action: 'read', subject: 'Organisation' }, status: 200,
    async run(ctx, _req, _res, deps) {
      const { rows } = await deps.pool.query<{ id: string; slug: string; name: string; created_at: Date }>(
        'SELECT id, slug, name, created_at FROM organisations ORDER BY slug');
      return { data: rows.filter((o) => can(ctx.ability, 'read', 'Organisation', { orgId: o.id }))
        .map((o) => ({ id: o.id, slug: o.slug, name: o.name, created_at: o.created_at.toISOString() })) };
    },
  },
  {
    method: 'post', path: '/orgs', summary: 'Create an organisation (platform administrators)', tag: 'organisations',
    permission: { action: 'create', subject: 'Organisation' }, body: orgBody, status: 201,
    async run(ctx, req, _res, deps) {
      const body = orgBody.parse(req.body);
      if (!can(ctx.ability, 'create', 'Organisation', { orgId: null })) throw forbidden('Only a platform administrator creates organisations.');
      const { rows } = await deps.pool.query<{ id: string; created_at: Date }>(
        'INSERT INTO organisations (slug, name) VALUES ($1, $2) RETURNING id, created_at', [body.slug, body.name]);
      await deps.audit.emit({ type: 'org.created', orgId: rows[0].id, actor: actorOf(ctx.principal), target: { type: 'organisation', id: rows[0].id, label: body.slug } });
      return { id: rows[0].id, slug: body.slug, name: body.name, created_at: rows[0].created_at.toISOString() };
    },
  },
  {
    method: 'get', path: '/orgs/:org', summary: 'One organisation', tag: 'organisations',
    permission: { action: 'read', subject: 'Organisation' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      return { id: org.id, slug: org.slug, name: org.name, created_at: org.createdAt };
    },
  },
  {
    method: 'patch', path: '/orgs/:org', summary: 'Rename an organisation', tag: 'organisations',
    permission: { action: 'update', subject: 'Organisation' }, body: orgPatch, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'update', 'Organisation', { orgId: org.id });
      const body = orgPatch.parse(req.body);
      await deps.pool.query('UPDATE organisations SET name = $2 WHERE id = $1', [org.id, body.name]);
      await deps.audit.emit({ type: 'org.updated', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'organisation', id: org.id, label: org.slug }, details: { name: body.name } });
      return { id: org.id, slug: org.slug, name: body.name, created_at: org.createdAt };
    },
  },
  {
    method: 'get', path: '/orgs/:org/workspaces', summary: 'Workspaces of the organisation the caller can see', tag: 'workspaces',
    permission: { action: 'read', subject: 'Workspace' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const { rows } = await deps.pool.query<{ id: string; slug: string; name: string; created_at: Date }>(
        'SELECT id, slug, name, created_at FROM workspaces WHERE org_id = $1 ORDER BY slug', [org.id]);
      return { data: rows.filter((w) => can(ctx.ability, 'read', 'Workspace', { orgId: org.id, workspaceId: w.id }))
        .map((w) => ({ id: w.id, slug: w.slug, name: w.name, created_at: w.created_at.toISOString() })) };
    },
  },
  {
    method: 'post', path: '/orgs/:org/workspaces', summary: 'Create a workspace', tag: 'workspaces',
    permission: { action: 'create', subject: 'Workspace' }, body: workspaceBody, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'create', 'Workspace', { orgId: org.id, workspaceId: null });
      const body = workspaceBody.parse(req.body);
      const { rows } = await deps.pool.query<{ id: string; created_at: Date }>(
        'INSERT INTO workspaces (org_id, slug, name) VALUES ($1, $2, $3) RETURNING id, created_at', [org.id, body.slug, body.name]);
      await deps.audit.emit({ type: 'workspace.created', orgId: org.id, workspaceId: rows[0].id, actor: actorOf(ctx.principal), target: { type: 'workspace', id: rows[0].id, label: body.slug } });
      return { id: rows[0].id, slug: body.slug, name: body.name, created_at: rows[0].created_at.toISOString() };
    },
  },
  {
    method: 'get', path: '/orgs/:org/workspaces/:ws', summary: 'One workspace', tag: 'workspaces',
    permission: { action: 'read', subject: 'Workspace' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'read', 'Workspace', { orgId: org.id, workspaceId: ws.id });
      return { id: ws.id, slug: ws.slug, name: ws.name, created_at: ws.createdAt };
    },
  },
  {
    method: 'patch', path: '/orgs/:org/workspaces/:ws', summary: 'Rename a workspace', tag: 'workspaces',
    permission: { action: 'update', subject: 'Workspace' }, body: workspacePatch, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'update', 'Workspace', { orgId: org.id, workspaceId: ws.id });
      const body = workspacePatch.parse(req.body);
      await deps.pool.query('UPDATE workspaces SET name = $3 WHERE org_id = $1 AND id = $2', [org.id, ws.id, body.name]);
      await deps.audit.emit({ type: 'workspace.updated', orgId: org.id, workspaceId: ws.id, actor: actorOf(ctx.principal), target: { type: 'workspace', id: ws.id, label: ws.slug }, details: { name: body.name } });
      return { id: ws.id, slug: ws.slug, name: body.name, created_at: ws.createdAt };
    },
  },
  {
    method: 'get', path: '/orgs/:org/users', summary: 'Users of the organisation', tag: 'members',
    permission: { action: 'read', subject: 'User' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'read', 'User', { orgId: org.id });
      return { data: (await listUsers(deps.pool, org.id)).map(userJson) };
    },
  },
  {
    method: 'patch', path: '/orgs/:org/users/:userId', summary: 'Activate or deactivate a user (deactivation ends sessions and revokes keys)', tag: 'members',
    permission: { action: 'update', subject: 'User' }, body: userPatch, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'update', 'User', { orgId: org.id });
      const body = userPatch.parse(req.body);
      const user = await findUser(deps.pool, org.id, uuidParam(req, 'userId'));
      if (!user) throw notFound('No such user in this organisation.', 'user_not_found');
      if (!body.active && ctx.principal.kind === 'user' && user.id === ctx.principal.id) throw conflict('You cannot deactivate yourself.', 'self');
      let revokedKeys = 0;
      if (body.active) await setUserActive(deps.pool, org.id, user.id, true);
      else ({ revokedKeys } = await deactivateUser(deps, org.id, user.id));
      await deps.audit.emit({
        type: body.active ? 'member.activated' : 'member.deactivated', orgId: org.id, actor: actorOf(ctx.principal),
        target: { type: 'user', id: user.id, label: user.email }, details: { revoked_keys: revokedKeys },
      });
      return userJson((await findUser(deps.pool, org.id, user.id))!);
    },
  },
  {
    method: 'get', path: '/orgs/:org/owners', summary: 'Owners of the organisation', tag: 'members',
    permission: { action: 'read', subject: 'Member' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'read', 'Member', { orgId: org.id, workspaceId: null });
      return { data: (await listMembers(deps.pool, org.id, null)).map(memberJson) };
    },
  },
  {
    method: 'post', path: '/orgs/:org/owners', summary: 'Make a user an owner of the organisation', tag: 'members',
    permission: { action: 'create', subject: 'Member' }, body: ownerBody, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'create', 'Member', { orgId: org.id, workspaceId: null });
      const body = ownerBody.parse(req.body);
      const user = await ensureUser(deps.pool, org.id, body.email);
      await addMembership(deps.pool, { orgId: org.id, workspaceId: null, userId: user.id, role: 'owner' }, 'manual');
      await deps.audit.emit({ type: 'member.added', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'user', id: user.id, label: user.email }, details: { role: 'owner' } });
      return { user_id: user.id, email: user.email, role: 'owner' };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/owners/:userId', summary: 'Remove an owner (the last active owner cannot be removed)', tag: 'members',
    permission: { action: 'delete', subject: 'Member' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'delete', 'Member', { orgId: org.id, workspaceId: null });
      const userId = uuidParam(req, 'userId');
      await inTransaction(deps.pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`owners:${org.id}`]);
        const removed = await removeMembership(client, { orgId: org.id, workspaceId: null, userId, role: 'owner' });
        if (removed === 0) throw notFound('That user is not an owner.', 'member_not_found');
        if (await countOwners(client, org.id) === 0) throw conflict('The last owner cannot be removed.', 'last_owner');
      });
      await deps.audit.emit({ type: 'member.removed', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'user', id: userId }, details: { role: 'owner' } });
      return null;
    },
  },
  {
    method: 'get', path: '/orgs/:org/workspaces/:ws/members', summary: 'Members of a workspace with their roles', tag: 'members',
    permission: { action: 'read', subject: 'Member' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'read', 'Member', { orgId: org.id, workspaceId: ws.id });
      return { data: (await listMembers(deps.pool, org.id, ws.id)).map(memberJson) };
    },
  },
  {
    method: 'post', path: '/orgs/:org/workspaces/:ws/members', summary: 'Grant a role in a workspace (the user is created if needed)', tag: 'members',
    permission: { action: 'create', subject: 'Member' }, body: memberBody, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'create', 'Member', { orgId: org.id, workspaceId: ws.id });
      const body = memberBody.parse(req.body);
      const user = await ensureUser(deps.pool, org.id, body.email);
      const added = await addMembership(deps.pool, { orgId: org.id, workspaceId: ws.id, userId: user.id, role: body.role }, 'manual');
      if (added) {
        await deps.audit.emit({ type: 'member.added', orgId: org.id, workspaceId: ws.id, actor: actorOf(ctx.principal), target: { type: 'user', id: user.id, label: user.email }, details: { role: body.role } });
      }
      return { user_id: user.id, email: user.email, role: body.role, workspace: ws.slug };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/workspaces/:ws/members/:userId/roles/:role', summary: 'Withdraw a role in a workspace', tag: 'members',
    permission: { action: 'delete', subject: 'Member' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'delete', 'Member', { orgId: org.id, workspaceId: ws.id });
      const role = param(req, 'role');
      if (!isRole(role) || role === 'owner') throw badRequest(`Unknown workspace role "${role}".`, 'role');
      const userId = uuidParam(req, 'userId');
      if (await removeMembership(deps.pool, { orgId: org.id, workspaceId: ws.id, userId, role }) === 0) {
        throw notFound('That user does not hold this role here.', 'member_not_found');
      }
      await deps.audit.emit({ type: 'member.removed', orgId: org.id, workspaceId: ws.id, actor: actorOf(ctx.principal), target: { type: 'user', id: userId }, details: { role } });
      return null;
    },
  },
];
