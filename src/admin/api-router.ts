import express, { Router } from 'express';
import type { Logger } from '../logger';
import type { AdminConfig } from './config';
import { adminContext, adminErrorHandler, handler, noStore, notFound } from './http';
import { buildOpenApiDocument } from './openapi';
import { accessRoutes } from './routes/access';
import { resourceRoutes } from './routes/resources';
import type { AdminDeps, AdminRoute } from './routes/table';
import { tenantRoutes } from './routes/tenants';
import { authenticateAdmin } from './session';

/** Every admin API operation, in documentation order. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [...tenantRoutes, ...accessRoutes, ...resourceRoutes];

/** `/admin/v1`: JSON admin API; the OpenAPI document is public, everything else authenticated. */
export function createAdminApiRouter(deps: AdminDeps, session: express.RequestHandler, config: AdminConfig, logger: Logger): Router {
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
  router.use('/admin', (req, _res, next) => next(notFound(`Unknown admin route: ${req.method} ${req.path}`, 'unknown_route')));
  router.use('/admin', adminErrorHandler(logger));
  return router;
}
