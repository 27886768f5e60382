import express, { Router } from 'express';
import type { Logger } from '../logger';
import type { AdminConfig } from './config';
import { adminContext, adminErrorHandler, handler, noStore, notFound } from './http';
import { buildOpenApiDocument } from './openapi';
import { accessRoutes } from './routes/access';
import { resourceRoutes } from './routes/resources';
import { policySimulationRoutes } from './routes/policy-simulation';
import { policyRoutes } from './routes/policy';
import type { AdminDeps, AdminRoute } from './routes/table';
import { tenantRoutes } from './routes/tenants';
import { authenticateAdmin } from './session';
import { can } from '../authz';
import { findOrganisation } from '../db';
import { actorOf } from './audit';
import { forbidden } from './http';

/**
 * Gate of the audit search/export routes (src/audit's router): the organisation's whole log is
 * shown, so organisation-level AuditLog rights are required (`read` for search and verify,
 * `export` for exports); workspace-level auditors are refused. Another organisation is a 404.
 */
function auditAccess(deps: AdminDeps): express.RequestHandler {
  const check = async (req: express.Request, res: express.Response): Promise<void> => {
    const ctx = adminContext(res);
    const org = await findOrganisation(deps.pool, String(req.params.org)).catch(() => null);
    const action = req.path.startsWith('/exports') ? 'export' : 'read';
    if (!org || !can(ctx.ability, 'read', 'AuditLog', { orgId: org.id, workspaceId: null }) && !can(ctx.ability, 'export', 'AuditLog', { orgId: org.id, workspaceId: null })) {
      if (org && ctx.principal.orgId === org.id) throw forbidden('Reading the audit log of the whole organisation needs organisation-level audit rights.');
      throw notFound('No such organisation.', 'not_found');
    }
    if (!can(ctx.ability, action, 'AuditLog', { orgId: org.id, workspaceId: null })) throw forbidden(`Audit ${action} needs organisation-level rights.`);
    res.locals.auditAccess = { actor: actorOf(ctx.principal), orgId: org.id };
  };
  return (req, res, next) => { check(req, res).then(() => next(), next); };
}

/** Every admin API operation, in documentation order. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [...tenantRoutes, ...accessRoutes, ...resourceRoutes, ...policyRoutes, ...policySimulationRoutes];

/** `/admin/v1`: JSON admin API; the OpenAPI document is public, everything else authenticated. */
export function createAdminApiRouter(deps: AdminDeps, session: express.RequestHandler, config: AdminConfig, logger: Logger, auditRouter?: Router): Router {
  const router = Router();
  const openapi = JSON.stringify(buildOpenApiDocument(ADMIN_ROUTES, '1'));
  router.get('/admin/v1/openapi.json', (_req, res) => { res.type('application/json').send(openapi); });
  router.use('/admin', noStore, express.json({ limit: '1mb' }), session, authenticateAdmin({ pool: deps.pool, config }));
  for (const route of ADMIN_ROUTES) {
    router[route.method](`/admin/v1${route.path}`, handler(async (req, res) => {
      const ctx = adminContext(res);
      const result = await route.run(ctx, req, res, deps);
      if (route.status === 204 || result === null) res.status(204).end();
      else res.status(route.status).json(result);
    }));
  }
  if (auditRouter) router.use('/admin/v1/orgs/:org/audit', auditAccess(deps), auditRouter);
  router.use('/admin', (req, _res, next) => next(notFound(`Unknown admin route: ${req.method} ${req.path}`, 'unknown_route')));
  router.use('/admin', adminErrorHandler(logger));
  return router;
}
