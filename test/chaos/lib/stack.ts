/**
 * Everything one chaos test file runs against: its own Redis (append-only, fsync always) and PostgreSQL on spare
 * ports, the mock provider (in this process, so faults can be switched on and off), a gateway child process and
 * the audit writer as a separate `gatehouse worker` process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, createRedis, ensureDatabase, findWorkspace, migrate, type Pool, type Redis } from '../../../src/db';
import { upsertCatalog, type CatalogEndpointSpec } from '../../../src/catalog';
import { demoCatalogSpecs } from '../../../src/providers';
import { seedDemo } from '../../../src/cli/demo-seed';
import { createApiKey } from '../../../src/identity';
import { setKeyLimits } from '../../../src/spend';
import { startMockProvider, type FaultSpec, type MockProvider } from '../../../src/mock';
import { mockEndpoint } from '../../helpers/endpoints';
import { startChaosPostgres, startChaosRedis, type ChaosPostgres, type ChaosRedis } from './services';
import { startGatewayProcess, startWorkerProcess, type GatewayProcess, type WorkerProcess } from './processes';

/** The model every chaos request uses: one endpoint on the mock, so each fault maps to one expected status. */
export const CHAOS_MODEL = 'chaos-chat';
/** Base path of that endpoint on the mock; faults are switched on for this prefix. */
const CHAOS_PREFIX = '/chaos';
/** The price of chaos-chat per 1M tokens (test/helpers/endpoints.ts). */
export const CHAOS_PRICING = { inputPerMTok: 10, cachedInputPerMTok: 5, outputPerMTok: 30 };
export const BODY_LIMIT_BYTES = 64 * 1024;
export const REDIS_PREFIX = 'chaos:';

export interface ChaosKey {
  key: string;
  id: string;
}

export interface ChaosStack {
  dir: string;
  redis: ChaosRedis;
  postgres: ChaosPostgres;
  mock: MockProvider;
  gateway: GatewayProcess;
  worker: WorkerProcess | null;
  /** The test's own connections to the chaos database and Redis, for the checks. */
  pool: Pool;
  redisClient: Redis;
  /** A fresh key for one scenario (its requests, events and ledger rows are told apart by it), with a budget. */
  newKey(name: string): Promise<ChaosKey>;
  setUpstreamFault(fault: FaultSpec | null): void;
  /** kill -9 the audit worker (null until startWorker()). */
  killWorker(): Promise<void>;
  startWorker(): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export interface ChaosStackOptions {
  /** Extra gateway environment. */
  env?: NodeJS.ProcessEnv;
}

export async function startChaosStack(options: ChaosStackOptions = {}): Promise<ChaosStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-chaos-'));
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const redis = await startChaosRedis(dir);
    cleanups.push(() => redis.stop());
    const postgres = await startChaosPostgres(dir);
    cleanups.push(() => postgres.stop());
    const mock = await startMockProvider({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => mock.close());

    const databaseUrl = postgres.url.replace(/\/postgres$/, '/gatehouse_chaos');
    await ensureDatabase(databaseUrl);
    const pool = createPool(databaseUrl, { max: 4 });
    cleanups.push(() => pool.end());
    await migrate(pool);
    const endpoints: CatalogEndpointSpec[] = [
      ...demoCatalogSpecs(mock.url),
      mockEndpoint(mock.url, 'chaos-up', `${CHAOS_PREFIX}/v1`, [[CHAOS_MODEL, 'demo-chat']], {
        timeouts: { connectMs: 1_000, firstByteMs: 2_500, totalMs: 20_000 },
      }),
    ];
    await seedDemo(pool, endpoints);
    await upsertCatalog(pool, endpoints);
    const workspace = await findWorkspace(pool, 'demo');

    const redisClient = createRedis(redis.url, { maxRetriesPerRequest: 1 });
    cleanups.push(async () => redisClient.disconnect());
    const common: NodeJS.ProcessEnv = {
      DATABASE_URL: databaseUrl, REDIS_URL: redis.url, GATEHOUSE_REDIS_PREFIX: REDIS_PREFIX, LOG_LEVEL: 'warn',
    };
    const workerEnv = { ...common, GATEHOUSE_AUDIT_EXPORT_DIR: path.join(dir, 'exports') };
    let worker: WorkerProcess | null = await startWorkerProcess(workerEnv, path.join(dir, 'worker.log'));
    cleanups.push(() => worker?.stop() ?? Promise.resolve());
    const gateway = await startGatewayProcess({
      ...common, PORT: '0', HOST: '127.0.0.1',
      GATEHOUSE_AUDIT_WRITER: 'false', GATEHOUSE_AUDIT_SPOOL_DIR: path.join(dir, 'spool'),
      GATEHOUSE_AUDIT_EXPORT_DIR: path.join(dir, 'exports'),
      GATEHOUSE_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES), GATEHOUSE_SHUTDOWN_GRACE_MS: '5000',
      ...options.env,
    }, path.join(dir, 'gateway.log'));
    cleanups.push(() => gateway.stop());

    const stack: ChaosStack = {
      dir, redis, postgres, mock, gateway, pool, redisClient,
      get worker() {
        return worker;
      },
      async newKey(name) {
        const created = await createApiKey(pool, { workspace, name });
        // A lifetime budget far above what the suite spends: every request takes a reservation in Redis.
        await setKeyLimits(pool, created.record.id, {
          budgetUsd: 1_000, budgetWindow: 'total', budgetTokens: null, rpm: null, tpm: null, maxParallel: null,
        });
        return { key: created.key, id: created.record.id };
      },
      setUpstreamFault(fault) {
        mock.setFaults(fault ? { [CHAOS_PREFIX]: fault } : {});
      },
      async killWorker() {
        const w = worker;
        worker = null;
        await w?.kill();
      },
      async startWorker() {
        worker = await startWorkerProcess(workerEnv, path.join(dir, 'worker.log'));
        return worker;
      },
      async close() {
        for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
        if (process.env.GATEHOUSE_CHAOS_KEEP !== 'true') rmSync(dir, { recursive: true, force: true });
      },
    };
    return stack;
  } catch (err) {
    for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
    throw err;
  }
}
