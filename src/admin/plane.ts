import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { CatalogService } from '../catalog';
import { instanceSecret } from '../db';
import { PgSessionStore, SecretBox, SsoService, type KeyStore } from '../identity';
import type { Logger } from '../logger';
import { createAdminApiRouter } from './api-router';
import { loggingAuditSink, type AuditSink } from './audit';
import { createAuthRouter } from './auth-routes';
import { createConsoleRouter } from './console';
import type { AdminConfig } from './config';
import { createScimRouter } from './scim/router';
import { sessionMiddleware } from './session';

export interface AdminPlaneOptions {
  pool: Pool;
  redis: Redis;
  redisPrefix: string;
  keys: Pick<KeyStore, 'publishInvalidation'>;
  catalog: Pick<CatalogService, 'publishChange'>;
  config: AdminConfig;
  logger: Logger;
  /** The audit producer (src/audit); without one, events go to the log. */
  audit?: AuditSink;
  /** src/audit's search/export router, mounted at /admin/v1/orgs/:org/audit behind admin authentication. */
  auditRouter?: Router;
}

export interface AdminPlane {
  /** /auth (sign-in), /admin/v1 (API + OpenAPI), /scim/v2, /console (web console). */
  routers: Router[];
  sso: SsoService;
  sessions: PgSessionStore;
  close(): void;
}

/** Builds the admin plane: sessions, SSO, the admin API and SCIM, sharing one session store. */
export async function createAdminPlane(options: AdminPlaneOptions): Promise<AdminPlane> {
  const { pool, redis, config, logger } = options;
  const box = await SecretBox.forInstance(pool);
  const sessions = new PgSessionStore(pool, config.sessionIdleMs);
  const session = sessionMiddleware(sessions, (await instanceSecret(pool, 'admin-session-secret')).toString('base64url'), config);
  const sso = new SsoService({ pool, redis, prefix: options.redisPrefix, box });
  const audit = options.audit ?? loggingAuditSink(logger);
  const deps = { pool, redis, redisPrefix: options.redisPrefix, keys: options.keys, catalog: options.catalog, audit, box, sso, sessions };
  return {
    routers: [
      createAuthRouter({ pool, sso, box, audit, config, logger, session }),
      createAdminApiRouter(deps, session, config, logger, options.auditRouter),
      createScimRouter({ deps, audit, logger }),
      // The web console's static files (/console), behind the same session cookie.
      createConsoleRouter({ session }),
    ],
    sso, sessions,
    close: () => sessions.close(),
  };
}
