import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { buildAuditEvent, type AuditEventInput } from '../../../src/audit';
import { createAdminPlane, loadAdminConfig, type AdminConfig, type AdminPlane } from '../../../src/admin';
import { createPool, createRedis, migrate, type Pool, type Redis } from '../../../src/db';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';

/**
 * The admin plane alone on loopback (real PostgreSQL and Redis), with the audit events it emits
 * collected in memory, so tests can assert what was audited.
 */
export interface AdminHarness {
  url: string;
  /** The test database (for CLI runs against the same data). */
  databaseUrl: string;
  pool: Pool;
  redis: Redis;
  prefix: string;
  plane: AdminPlane;
  config: AdminConfig;
  audit: AuditEventInput[];
  /** Key lookup ids broadcast on the revocation channel. */
  invalidated: string[];
  close(): Promise<void>;
}

export async function startAdminHarness(overrides: Partial<AdminConfig> = {}): Promise<AdminHarness> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 5 });
  await migrate(pool);
  const redis = createRedis(TEST_REDIS_URL);
  const prefix = uniqueRedisPrefix();
  const audit: AuditEventInput[] = [];
  const invalidated: string[] = [];
  const config: AdminConfig = { ...loadAdminConfig({ GATEHOUSE_ADMIN_COOKIE_SECURE: 'false' }), ...overrides };
  const plane = await createAdminPlane({
    pool, redis, redisPrefix: prefix, config, logger: pino({ level: process.env.GATEHOUSE_TEST_LOG ?? 'silent' }),
    keys: { publishInvalidation: async (id: string) => { invalidated.push(id); await redis.publish(`${prefix}keys:invalidate`, id); } },
    catalog: { publishChange: async () => { await redis.publish(`${prefix}catalog:changed`, String(Date.now())); } },
    // Every event must pass the real audit schema (what the producer of src/audit would accept).
    audit: { emit: async (event) => { buildAuditEvent(event); audit.push(event); } },
  });
  const app = express();
  for (const router of plane.routers) app.use(router);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, databaseUrl: db.url, pool, redis, prefix, plane, config, audit, invalidated,
    async close() {
      plane.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.quit();
      await pool.end();
      await db.drop();
    },
  };
}

/** The session id inside a signed express-session cookie value (s:<sid>.<signature>). */
export function sessionIdOf(setCookie: string[] | string | undefined, name: string): string | null {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return decodeURIComponent(m[1]).replace(/^s:/, '').replace(/\.[^.]*$/, '');
  }
  return null;
}
