import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { z } from 'zod';
import { can, type SubjectName, type Action } from '../../authz';
import type { CatalogService } from '../../catalog';
import type { PgSessionStore, SecretBox, SsoService } from '../../identity';
import type { KeyStore } from '../../identity';
import type { Organisation, Workspace } from '../../db';
import type { AuditSink } from '../audit';
import type { AdminContext } from '../http';
import { forbidden, notFound } from '../http';

/** Services the admin routes use. */
export interface AdminDeps {
  pool: Pool;
  redis: Redis;
  redisPrefix: string;
  keys: Pick<KeyStore, 'publishInvalidation'>;
  catalog: Pick<CatalogService, 'publishChange'>;
  audit: AuditSink;
  box: SecretBox;
  sso: SsoService;
  sessions: PgSessionStore;
}

/** One admin API operation: routing, documentation (OpenAPI) and the handler in one place. */
export interface AdminRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path under /admin/v1, e.g. `/orgs/:org/workspaces/:ws/keys`. */
  path: string;
  summary: string;
  tag: string;
  /** The check the route makes (documentation and the RBAC test). */
  permission: { action: Action; subject: SubjectName } | null;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status of a successful answer. */
  status: number;
  run(ctx: AdminContext, req: Request, res: Response, deps: AdminDeps): Promise<unknown>;
}

interface OrgRow { id: string; slug: string; name: string; created_at: Date }

/**
 * The organisation named in the path. One the principal cannot read at all answers 404 exactly
 * like one that does not exist: other tenants are not even confirmed to exist.
 */
export async function orgFor(ctx: AdminContext, deps: AdminDeps, slug: string): Promise<Organisation & { createdAt: string }> {
  const { rows } = await deps.pool.query<OrgRow>('SELECT id, slug, name, created_at FROM organisations WHERE slug = $1', [slug]);
  if (rows.length === 0 || !can(ctx.ability, 'read', 'Organisation', { orgId: rows[0].id })) {
    throw notFound(`Organisation "${slug}" not found.`, 'org_not_found');
  }
  return { id: rows[0].id, slug: rows[0].slug, name: rows[0].name, createdAt: rows[0].created_at.toISOString() };
}

/** A workspace of that organisation (the query is scoped by org id: a slug of another org never matches). */
export async function workspaceFor(deps: AdminDeps, org: Organisation, slug: string): Promise<Workspace & { createdAt: string }> {
  const { rows } = await deps.pool.query<{ id: string; slug: string; name: string; created_at: Date }>(
    'SELECT id, slug, name, created_at FROM workspaces WHERE org_id = $1 AND slug = $2', [org.id, slug]);
  if (rows.length === 0) throw notFound(`Workspace "${slug}" not found in ${org.slug}.`, 'workspace_not_found');
  const r = rows[0];
  return { id: r.id, orgId: org.id, orgSlug: org.slug, slug: r.slug, name: r.name, createdAt: r.created_at.toISOString() };
}

export function authorize(ctx: AdminContext, action: Action, subject: SubjectName, fields: { orgId: string | null; workspaceId?: string | null; userId?: string | null }): void {
  if (!can(ctx.ability, action, subject, fields)) {
    throw forbidden(`Your role does not allow you to ${action} ${subject} here.`);
  }
}

export const param = (req: Request, name: string): string => String(req.params[name]);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidParam(req: Request, name: string): string {
  const value = param(req, name);
  if (!UUID.test(value)) throw notFound(`No such ${name}.`, `${name}_not_found`);
  return value.toLowerCase();
}
