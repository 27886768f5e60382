import { z } from 'zod';
import { ADMIN_SCOPES, can, type AdminScope } from '../../authz';
import {
  adminTokenListing, applySsoConfig, deleteSsoConnection, findAdminToken, generateToken, getSsoConnection, insertAdminToken, insertScimToken,
  listAdminTokens, listGroupMappings, listScimTokens, revokeAdminToken, revokeScimToken, ssoConfigInput, SsoConfigError, type AppliedSsoConfig,
} from '../../identity';
import { actorOf } from '../audit';
import { badRequest, conflict, notFound, parse } from '../http';
import { authorize, orgFor, param, uuidParam, type AdminRoute } from './table';

const tokenBody = z.object({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(ADMIN_SCOPES as [AdminScope, ...AdminScope[]])).min(1).max(ADMIN_SCOPES.length),
  expires_in_days: z.number().int().min(1).max(366).optional(),
}).strict();
const scimTokenBody = z.object({ name: z.string().trim().min(1).max(200).default('scim') }).strict();

export const accessRoutes: AdminRoute[] = [
  {
    method: 'get', path: '/orgs/:org/sso', summary: 'The SSO connection (the client secret is never returned)', tag: 'sso',
    permission: { action: 'read', subject: 'SsoConnection' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'read', 'SsoConnection', { orgId: org.id });
      const c = await getSsoConnection(deps.pool, org.id);
      if (!c) throw notFound('No SSO connection is configured.', 'sso_not_configured');
      const { rows } = await deps.pool.query<{ id: string; slug: string }>('SELECT id, slug FROM workspaces WHERE org_id = $1', [org.id]);
      const slugOf = new Map(rows.map((r) => [r.id, r.slug]));
      return {
        protocol: c.protocol, settings: c.settings, has_client_secret: c.secretSealed !== null, groups_attribute: c.groupsAttribute,
        jit: c.jit, enabled: c.enabled, version: c.version, updated_at: c.updatedAt, email_domains: c.emailDomains,
        role_mappings: (await listGroupMappings(deps.pool, org.id)).map((m) => ({ group: m.group, workspace: m.workspaceId ? slugOf.get(m.workspaceId) : null, role: m.role })),
        login_url: `/auth/login?org=${org.slug}`,
      };
    },
  },
  {
    method: 'put', path: '/orgs/:org/sso', summary: 'Configure OIDC or SAML (SAML: IdP metadata XML or explicit settings), login domains and group → role mappings', tag: 'sso',
    permission: { action: 'update', subject: 'SsoConnection' }, body: ssoConfigInput, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'update', 'SsoConnection', { orgId: org.id });
      const body = parse(ssoConfigInput, req.body);
      let applied: AppliedSsoConfig;
      try {
        applied = await applySsoConfig(deps.pool, deps.box, org, body);
      } catch (err) {
        if (err instanceof SsoConfigError) throw err.conflict ? conflict(err.message, 'domain_taken') : badRequest(err.message, err.field);
        throw err;
      }
      const { sso, version, mappings } = applied;
      await deps.audit.emit({
        type: 'sso.configured', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'sso_connection', id: org.id, label: sso.protocol },
        details: { protocol: sso.protocol, version, email_domains: body.email_domains, mappings: mappings.length, secret_changed: applied.secretChanged },
      });
      return { protocol: sso.protocol, settings: sso.settings, version, email_domains: body.email_domains, role_mappings: body.role_mappings, login_url: `/auth/login?org=${org.slug}` };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/sso', summary: 'Remove the SSO connection (members can then only use break-glass access)', tag: 'sso',
    permission: { action: 'delete', subject: 'SsoConnection' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'delete', 'SsoConnection', { orgId: org.id });
      if (!(await deleteSsoConnection(deps.pool, org.id))) throw notFound('No SSO connection is configured.', 'sso_not_configured');
      deps.sso.forget(org.id);
      await deps.audit.emit({ type: 'sso.removed', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'sso_connection', id: org.id } });
      return null;
    },
  },
  {
    method: 'get', path: '/orgs/:org/scim-tokens', summary: 'SCIM bearer tokens (never the secrets)', tag: 'scim',
    permission: { action: 'read', subject: 'ScimToken' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'read', 'ScimToken', { orgId: org.id });
      return { data: (await listScimTokens(deps.pool, org.id)).map((t) => ({ id: t.id, name: t.name, prefix: `ghs_${t.lookupId}…`, created_at: t.createdAt, revoked_at: t.revokedAt, last_used_at: t.lastUsedAt })) };
    },
  },
  {
    method: 'post', path: '/orgs/:org/scim-tokens', summary: 'Create a SCIM bearer token (shown once)', tag: 'scim',
    permission: { action: 'create', subject: 'ScimToken' }, body: scimTokenBody, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'create', 'ScimToken', { orgId: org.id });
      const body = scimTokenBody.parse(req.body);
      const secret = generateToken('ghs_');
      const record = await insertScimToken(deps.pool, org.id, body.name, secret.lookupId, secret.hash);
      await deps.audit.emit({ type: 'scim.token_created', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'scim_token', id: record.id, label: body.name } });
      return { id: record.id, name: record.name, token: secret.token, scim_base_url: '/scim/v2' };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/scim-tokens/:id', summary: 'Revoke a SCIM token', tag: 'scim',
    permission: { action: 'delete', subject: 'ScimToken' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'delete', 'ScimToken', { orgId: org.id });
      const id = uuidParam(req, 'id');
      if (!(await revokeScimToken(deps.pool, org.id, id))) throw notFound('No such SCIM token.', 'token_not_found');
      await deps.audit.emit({ type: 'scim.token_revoked', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'scim_token', id } });
      return null;
    },
  },
  {
    method: 'get', path: '/orgs/:org/admin-tokens', summary: 'Admin API tokens: all of them for owners, your own otherwise', tag: 'tokens',
    permission: { action: 'read', subject: 'AdminToken' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'read', 'AdminToken', { orgId: org.id, userId: ctx.principal.id });
      const tokens = await listAdminTokens(deps.pool, org.id);
      return { data: tokens.filter((t) => can(ctx.ability, 'read', 'AdminToken', { orgId: org.id, userId: t.userId ?? t.localAdminId }))
        .map((t) => { const l = adminTokenListing(t); return { id: l.id, name: l.name, prefix: l.prefix, scopes: l.scopes, user_id: l.userId, created_at: l.createdAt, expires_at: l.expiresAt, revoked_at: l.revokedAt, last_used_at: l.lastUsedAt }; }) };
    },
  },
  {
    method: 'post', path: '/orgs/:org/admin-tokens', summary: 'Create an admin API token acting with your rights narrowed to its scopes (shown once)', tag: 'tokens',
    permission: { action: 'create', subject: 'AdminToken' }, body: tokenBody, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const p = ctx.principal;
      authorize(ctx, 'create', 'AdminToken', { orgId: org.id, userId: p.id });
      // A token cannot mint tokens with scopes it does not itself carry.
      const body = tokenBody.parse(req.body);
      if (p.token && body.scopes.some((s) => !p.token!.scopes.includes(s))) throw badRequest('A token can only create tokens with a subset of its own scopes.', 'scopes');
      const secret = generateToken('gha_');
      const record = await insertAdminToken(deps.pool, {
        orgId: org.id, owner: p.kind === 'user' ? { userId: p.id } : { localAdminId: p.id }, name: body.name, lookupId: secret.lookupId,
        hash: secret.hash, scopes: [...new Set(body.scopes)], expiresAt: body.expires_in_days ? new Date(Date.now() + body.expires_in_days * 86_400_000) : null,
      });
      await deps.audit.emit({ type: 'admin_token.created', orgId: org.id, actor: actorOf(p), target: { type: 'admin_token', id: record.id, label: body.name }, details: { scopes: record.scopes } });
      return { id: record.id, name: record.name, token: secret.token, scopes: record.scopes, expires_at: record.expiresAt };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/admin-tokens/:id', summary: 'Revoke an admin API token', tag: 'tokens',
    permission: { action: 'delete', subject: 'AdminToken' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const token = await findAdminToken(deps.pool, org.id, uuidParam(req, 'id'));
      if (!token) throw notFound('No such admin token.', 'token_not_found');
      authorize(ctx, 'delete', 'AdminToken', { orgId: org.id, userId: token.userId ?? token.localAdminId });
      await revokeAdminToken(deps.pool, org.id, token.id);
      await deps.audit.emit({ type: 'admin_token.revoked', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'admin_token', id: token.id, label: token.name } });
      return null;
    },
  },
];
