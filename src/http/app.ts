import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GatewayError, errorBody, internalError, notFound } from './errors';
import { healthz, readyz } from './health';
import type { GatewayMetrics } from './metrics';

export interface HttpAppOptions {
  pool: Pool;
  redis: Redis;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Route groups mounted by the composition root (data plane, later the admin API). */
  routers: Router[];
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', false);

  app.get('/healthz', healthz);
  app.get('/readyz', readyz(options.pool, options.redis));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });
  for (const router of options.routers) app.use(router);

  app.use((req: Request, res: Response) => {
    const err = notFound(`Unknown route: ${req.method} ${req.path}`, 'unknown_route');
    res.status(404).json(errorBody(err, req.headers['anthropic-version'] ? 'anthropic' : 'openai'));
  });
  // Last resort: anything thrown outside the data-plane handlers. Never a stack trace to clients.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const gatewayError = err instanceof GatewayError ? err : internalError();
    if (!(err instanceof GatewayError)) options.logger.error({ err, path: req.path }, 'unhandled error');
    if (res.headersSent) return void res.end();
    res.status(gatewayError.status).json(errorBody(gatewayError, 'openai'));
  });
  return app;
}
