import { z } from 'zod';
import { can } from '../../authz';
import { loadCatalogSpecs, upsertCatalog, type CatalogEndpointSpec } from '../../catalog';
import { findUserByEmail, isEmail } from '../../identity';
import { createApiKey } from '../../identity';
import { buildSpendReport, loadKeyLimits, setKeyLimits, validateKeyLimits, NO_KEY_LIMITS, type KeyLimits } from '../../spend';
import { actorOf } from '../audit';
import { badRequest, forbidden, notFound } from '../http';
import { authorize, orgFor, param, uuidParam, workspaceFor, type AdminDeps, type AdminRoute } from './table';

/** Data-plane key scopes, kept in the key's metadata (`metadata.scopes`) for the request path. */
export const API_KEY_SCOPES = ['chat', 'embeddings', 'models', 'messages'] as const;

const limitsSchema = z.object({
  budget_usd: z.number().nonnegative().nullable().optional(),
  budget_window: z.enum(['day', 'week', 'month', 'total']).nullable().optional(),
  budget_tokens: z.number().int().nonnegative().nullable().optional(),
  rpm: z.number().int().positive().nullable().optional(),
  tpm: z.number().int().positive().nullable().optional(),
  max_parallel: z.number().int().positive().nullable().optional(),
}).strict();

const keyBody = z.object({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length).optional(),
  allowed_models: z.array(z.string().min(1).max(200)).max(200).nullable().optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
  /** Owner of the key (admins/owners only; developers always own their keys). */
  user_email: z.string().refine(isEmail, 'must be an e-mail address').optional(),
  limits: limitsSchema.optional(),
}).strict();

const limitsFrom = (l: z.output<typeof limitsSchema> | undefined): KeyLimits | null => {
  if (!l) return null;
  const limits: KeyLimits = {
    budgetUsd: l.budget_usd ?? null, budgetWindow: l.budget_window ?? null, budgetTokens: l.budget_tokens ?? null,
    rpm: l.rpm ?? null, tpm: l.tpm ?? null, maxParallel: l.max_parallel ?? null,
  };
  if (limits.budgetWindow === null && (limits.budgetUsd !== null || limits.budgetTokens !== null)) limits.budgetWindow = 'month';
  try { validateKeyLimits(limits); } catch (err) { throw badRequest(`limits: ${(err as Error).message}`, 'limits'); }
  return limits;
};

const limitsJson = (l: KeyLimits) => ({ budget_usd: l.budgetUsd, budget_window: l.budgetWindow, budget_tokens: l.budgetTokens, rpm: l.rpm, tpm: l.tpm, max_parallel: l.maxParallel });

interface KeyRow {
  id: string; name: string; lookup_id: string; user_id: string | null; allowed_models: string[] | null; metadata: { scopes?: string[] };
  created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null;
}
const KEY_COLUMNS = 'id, name, lookup_id, user_id, allowed_models, metadata, created_at, expires_at, revoked_at, last_used_at';
const keyJson = (k: KeyRow) => ({
  id: k.id, name: k.name, prefix: `gh_${k.lookup_id}…`, user_id: k.user_id, scopes: k.metadata?.scopes ?? null, allowed_models: k.allowed_models,
  created_at: k.created_at.toISOString(), expires_at: k.expires_at?.toISOString() ?? null, revoked_at: k.revoked_at?.toISOString() ?? null,
  last_used_at: k.last_used_at?.toISOString() ?? null,
});

async function keyIn(deps: AdminDeps, orgId: string, workspaceId: string, id: string): Promise<KeyRow> {
  const { rows } = await deps.pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND workspace_id = $2 AND id = $3`, [orgId, workspaceId, id]);
  if (rows.length === 0) throw notFound('No such API key in this workspace.', 'key_not_found');
  return rows[0];
}

const catalogModel = z.object({
  model: z.string().min(1).max(200),
  upstream_model: z.string().min(1).max(200).optional(),
  kind: z.enum(['chat', 'embeddings']),
  input_per_mtok: z.number().nonnegative().nullable().default(null),
  cached_input_per_mtok: z.number().nonnegative().nullable().default(null),
  output_per_mtok: z.number().nonnegative().nullable().default(null),
  context_tokens: z.number().int().positive().nullable().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
}).strict();
const catalogBody = z.object({
  provider: z.enum(['openai', 'openai_compatible', 'anthropic', 'gemini', 'azure_openai']),
  display_name: z.string().min(1).max(200),
  base_url: z.string().url().max(2000),
  credentials_ref: z.string().regex(/^env:[A-Z_][A-Z0-9_]{0,127}$/, 'must look like env:NAME (the secret itself is never stored)').nullable().default(null),
  azure_api_version: z.string().max(50).nullable().optional(),
  jurisdiction: z.string().regex(/^[A-Z]{2}$/).nullable().default(null),
  data_regions: z.array(z.string().min(1).max(20)).nullable().default(null),
  zero_data_retention: z.boolean().nullable().default(null),
  trains_on_data: z.boolean().nullable().default(null),
  retention_days: z.number().int().nonnegative().nullable().default(null),
  certifications: z.array(z.string().min(1).max(50)).nullable().default(null),
  priority: z.number().int().min(0).max(100_000).default(100),
  enabled: z.boolean().default(true),
  models: z.array(catalogModel).min(1).max(500),
}).strict();
const ENDPOINT_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;

const spendQuery = z.object({
  window: z.enum(['day', 'week', 'month', 'total']).default('month'),
  time_zone: z.string().max(64).default('UTC'),
});

export const resourceRoutes: AdminRoute[] = [
  {
    method: 'get', path: '/orgs/:org/workspaces/:ws/keys', summary: 'API keys of a workspace (developers: their own), never secrets', tag: 'keys',
    permission: { action: 'read', subject: 'ApiKey' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'read', 'ApiKey', { orgId: org.id, workspaceId: ws.id, userId: ctx.principal.id });
      const { rows } = await deps.pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND workspace_id = $2 ORDER BY created_at`, [org.id, ws.id]);
      return { data: rows.filter((k) => can(ctx.ability, 'read', 'ApiKey', { orgId: org.id, workspaceId: ws.id, userId: k.user_id })).map(keyJson) };
    },
  },
  {
    method: 'post', path: '/orgs/:org/workspaces/:ws/keys', summary: 'Create an API key with scopes, expiry, allowed models and limits (the key is shown once)', tag: 'keys',
    permission: { action: 'create', subject: 'ApiKey' }, body: keyBody, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      const body = keyBody.parse(req.body);
      let ownerId: string | null = ctx.principal.kind === 'user' ? ctx.principal.id : null;
      if (body.user_email) {
        const owner = await findUserByEmail(deps.pool, org.id, body.user_email);
        if (!owner) throw badRequest('user_email is not a user of this organisation.', 'user_email');
        ownerId = owner.id;
      }
      authorize(ctx, 'create', 'ApiKey', { orgId: org.id, workspaceId: ws.id, userId: ownerId });
      const limits = limitsFrom(body.limits);
      const expiresAt = body.expires_at ? new Date(body.expires_at) : body.expires_in_days ? new Date(Date.now() + body.expires_in_days * 86_400_000) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw badRequest('expires_at is in the past.', 'expires_at');
      const created = await createApiKey(deps.pool, {
        workspace: ws, name: body.name, allowedModels: body.allowed_models ?? null, expiresAt, metadata: { scopes: body.scopes ?? [...API_KEY_SCOPES] },
      });
      try {
        if (ownerId) await deps.pool.query('UPDATE api_keys SET user_id = $2 WHERE id = $1', [created.record.id, ownerId]);
        if (limits) await setKeyLimits(deps.pool, created.record.id, limits);
      } catch (err) {
        // A key never exists without the owner and limits asked for.
        await deps.pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [created.record.id]).catch(() => undefined);
        throw err;
      }
      await deps.keys.publishInvalidation(created.record.lookupId);
      await deps.audit.emit({
        type: 'key.created', orgId: org.id, workspaceId: ws.id, actor: actorOf(ctx.principal), target: { type: 'api_key', id: created.record.id, label: body.name },
        details: { scopes: body.scopes ?? [...API_KEY_SCOPES], allowed_models: body.allowed_models ?? null, expires_at: expiresAt?.toISOString() ?? null, user_id: ownerId },
      });
      return { ...keyJson(await keyIn(deps, org.id, ws.id, created.record.id)), key: created.key, limits: limitsJson(limits ?? NO_KEY_LIMITS) };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/workspaces/:ws/keys/:id', summary: 'Revoke an API key (every gateway instance refuses it at once)', tag: 'keys',
    permission: { action: 'delete', subject: 'ApiKey' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      const key = await keyIn(deps, org.id, ws.id, uuidParam(req, 'id'));
      authorize(ctx, 'delete', 'ApiKey', { orgId: org.id, workspaceId: ws.id, userId: key.user_id });
      await deps.pool.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE org_id = $1 AND id = $2', [org.id, key.id]);
      await deps.keys.publishInvalidation(key.lookup_id);
      await deps.audit.emit({ type: 'key.revoked', orgId: org.id, workspaceId: ws.id, actor: actorOf(ctx.principal), target: { type: 'api_key', id: key.id, label: key.name } });
      return null;
    },
  },
  {
    method: 'post', path: '/orgs/:org/workspaces/:ws/keys/:id/rotate', summary: 'Replace a key by a new one with the same settings; the old one is revoked', tag: 'keys',
    permission: { action: 'update', subject: 'ApiKey' }, status: 201,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      const old = await keyIn(deps, org.id, ws.id, uuidParam(req, 'id'));
      authorize(ctx, 'update', 'ApiKey', { orgId: org.id, workspaceId: ws.id, userId: old.user_id });
      if (old.revoked_at) throw badRequest('A revoked key cannot be rotated.', 'id', 'key_revoked');
      const limits = await loadKeyLimits(deps.pool, old.id);
      const created = await createApiKey(deps.pool, {
        workspace: ws, name: old.name, allowedModels: old.allowed_models, expiresAt: old.expires_at, metadata: { ...old.metadata, rotated_from: old.id },
      });
      await deps.pool.query('UPDATE api_keys SET user_id = $2 WHERE id = $1', [created.record.id, old.user_id]);
      await setKeyLimits(deps.pool, created.record.id, limits);
      await deps.pool.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE org_id = $1 AND id = $2', [org.id, old.id]);
      await Promise.all([deps.keys.publishInvalidation(old.lookup_id), deps.keys.publishInvalidation(created.record.lookupId)]);
      await deps.audit.emit({
        type: 'key.rotated', orgId: org.id, workspaceId: ws.id, actor: actorOf(ctx.principal), target: { type: 'api_key', id: created.record.id, label: old.name },
        details: { rotated_from: old.id },
      });
      return { ...keyJson(await keyIn(deps, org.id, ws.id, created.record.id)), key: created.key, limits: limitsJson(limits), rotated_from: old.id };
    },
  },
  {
    method: 'get', path: '/orgs/:org/catalog', summary: 'Catalog endpoints available to the organisation (shared and its own)', tag: 'catalog',
    permission: { action: 'read', subject: 'CatalogEndpoint' }, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'read', 'CatalogEndpoint', { orgId: org.id });
      const specs = await loadCatalogSpecs(deps.pool, org.id);
      const { rows } = await deps.pool.query<{ id: string; org_id: string | null }>('SELECT id, org_id FROM catalog_endpoints WHERE org_id IS NULL OR org_id = $1', [org.id]);
      const owner = new Map(rows.map((r) => [r.id, r.org_id]));
      return { data: specs.map((s) => ({ ...s, shared: owner.get(s.id) === null })) };
    },
  },
  {
    method: 'put', path: '/orgs/:org/catalog/endpoints/:id', summary: "Create or replace one of the organisation's own catalog endpoints", tag: 'catalog',
    permission: { action: 'update', subject: 'CatalogEndpoint' }, body: catalogBody, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'update', 'CatalogEndpoint', { orgId: org.id });
      const id = param(req, 'id');
      if (!ENDPOINT_ID.test(id)) throw badRequest('The endpoint id must be 1-128 letters, digits, ".", "_" or "-".', 'id');
      const body = catalogBody.parse(req.body);
      const { rows } = await deps.pool.query<{ org_id: string | null }>('SELECT org_id FROM catalog_endpoints WHERE id = $1', [id]);
      // An id of the shared catalog or of another organisation is not this organisation's to change.
      if (rows.length > 0 && rows[0].org_id !== org.id) throw forbidden('This endpoint id belongs to the shared catalog or another organisation.', 'endpoint_taken');
      const spec: CatalogEndpointSpec = {
        id, provider: body.provider, displayName: body.display_name, baseUrl: body.base_url, credentialsRef: body.credentials_ref,
        azureApiVersion: body.azure_api_version ?? null, priority: body.priority, enabled: body.enabled,
        governance: {
          jurisdiction: body.jurisdiction, dataRegions: body.data_regions, zeroDataRetention: body.zero_data_retention, trainsOnData: body.trains_on_data,
          retentionDays: body.retention_days, certifications: body.certifications,
        },
        models: body.models.map((m) => ({
          model: m.model, upstreamModel: m.upstream_model, kind: m.kind, contextTokens: m.context_tokens ?? null, maxOutputTokens: m.max_output_tokens ?? null,
          pricing: { inputPerMTok: m.input_per_mtok, cachedInputPerMTok: m.cached_input_per_mtok, outputPerMTok: m.output_per_mtok },
        })),
      };
      if (rows.length === 0) {
        // Claim the id for this organisation first, so the shared upsert can never create a shared row.
        await deps.pool.query(
          `INSERT INTO catalog_endpoints (id, org_id, provider, display_name, base_url, enabled) VALUES ($1, $2, $3, $4, $5, false)`,
          [id, org.id, spec.provider, spec.displayName, spec.baseUrl]);
      }
      try {
        await upsertCatalog(deps.pool, [spec]);
      } catch (err) {
        if (rows.length === 0) await deps.pool.query('DELETE FROM catalog_endpoints WHERE id = $1 AND org_id = $2', [id, org.id]).catch(() => undefined);
        throw err;
      }
      await deps.catalog.publishChange();
      await deps.audit.emit({ type: 'catalog.updated', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'catalog_endpoint', id }, details: { provider: spec.provider, models: spec.models.length, enabled: body.enabled } });
      return { id, ...body, created: rows.length === 0 };
    },
  },
  {
    method: 'delete', path: '/orgs/:org/catalog/endpoints/:id', summary: "Delete one of the organisation's own catalog endpoints", tag: 'catalog',
    permission: { action: 'delete', subject: 'CatalogEndpoint' }, status: 204,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      authorize(ctx, 'delete', 'CatalogEndpoint', { orgId: org.id });
      const id = param(req, 'id');
      const { rowCount } = await deps.pool.query('DELETE FROM catalog_endpoints WHERE id = $1 AND org_id = $2', [id, org.id]);
      if (!rowCount) throw notFound('No such endpoint of this organisation.', 'endpoint_not_found');
      await deps.catalog.publishChange();
      await deps.audit.emit({ type: 'catalog.updated', orgId: org.id, actor: actorOf(ctx.principal), target: { type: 'catalog_endpoint', id }, details: { deleted: true } });
      return null;
    },
  },
  {
    method: 'get', path: '/orgs/:org/workspaces/:ws/spend', summary: 'Spend of a workspace per workspace, user and key over a window', tag: 'spend',
    permission: { action: 'read', subject: 'Spend' }, query: spendQuery, status: 200,
    async run(ctx, req, _res, deps) {
      const org = await orgFor(ctx, deps, param(req, 'org'));
      const ws = await workspaceFor(deps, org, param(req, 'ws'));
      authorize(ctx, 'read', 'Spend', { orgId: org.id, workspaceId: ws.id });
      const q = spendQuery.parse(req.query);
      try {
        return await buildSpendReport({ pool: deps.pool, workspace: ws, window: q.window, timeZone: q.time_zone, redis: deps.redis, prefix: deps.redisPrefix });
      } catch (err) {
        if (/time ?zone/i.test((err as Error).message)) throw badRequest((err as Error).message, 'time_zone');
        throw err;
      }
    },
  },
];
