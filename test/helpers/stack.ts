import pino from 'pino';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type GatewayConfig } from '../../src/config';
import { createPool, migrate, type Pool } from '../../src/db';
import { upsertCatalog, type CatalogEndpointSpec } from '../../src/catalog';
import { demoCatalogSpecs } from '../../src/providers';
import { startGateway, type Gateway } from '../../src/server';
import { startMockProvider, type MockProvider } from '../../src/mock';
import { seedDemo } from '../../src/cli/demo-seed';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from './database';

export interface TestStack {
  gateway: Gateway;
  mock: MockProvider;
  apiKey: string;
  pool: Pool;
  config: GatewayConfig;
  /** Starts another gateway instance on the same database and Redis (multi-instance tests). */
  startAnotherGateway(): Promise<Gateway>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Extra catalog endpoints, built from the mock's URL (fault-injecting base paths, …). */
  extraEndpoints?: (mockUrl: string) => CatalogEndpointSpec[];
  config?: Partial<GatewayConfig>;
  /** Extra environment for the gateways (audit settings, provider credentials). */
  env?: NodeJS.ProcessEnv;
}

const silentLogger = pino({ level: process.env.GATEHOUSE_TEST_LOG ?? 'silent' });

/** Real PostgreSQL (fresh database), real Redis (own prefix), the mock provider and a gateway on loopback. */
export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase();
  const mock = await startMockProvider({ port: 0, host: '127.0.0.1' });
  const config: GatewayConfig = {
    ...loadConfig({}),
    port: 0, host: '127.0.0.1', databaseUrl: db.url, redisUrl: TEST_REDIS_URL, redisPrefix: uniqueRedisPrefix(),
    shutdownGraceMs: 2_000,
    upstreamTimeouts: { connectMs: 2_000, firstByteMs: 3_000, totalMs: 10_000 },
    ...options.config,
  };
  const pool = createPool(db.url, { max: 4 });
  await migrate(pool);
  const endpoints = [...demoCatalogSpecs(mock.url), ...(options.extraEndpoints?.(mock.url) ?? [])];
  const seeded = await seedDemo(pool, endpoints);
  await upsertCatalog(pool, endpoints);
  const gateways: Gateway[] = [];
  const start = async (): Promise<Gateway> => {
    // Each instance gets its own audit spool, as separate machines would.
    const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-spool-'));
    const g = await startGateway(config, {
      logger: silentLogger, migrate: false, processMetrics: false,
      env: { ...process.env, GATEHOUSE_AUDIT_SPOOL_DIR: spoolDir, ...options.env },
    });
    gateways.push(g);
    return g;
  };
  const gateway = await start();
  return {
    gateway, mock, apiKey: seeded.apiKey!, pool, config,
    startAnotherGateway: start,
    async close() {
      await Promise.allSettled(gateways.map((g) => g.close()));
      await mock.close();
      await pool.end();
      await db.drop();
    },
  };
}
