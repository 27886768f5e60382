import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config';
import { createPool, createRedis, createSubscriber, ensureDatabase, instanceSecret, migrate, type Pool, type Redis } from './db';
import { PolicyService } from './policy';
import { createPiiScanner } from './pii';

import { KeyStore } from './identity';
import { CatalogService, catalogIsEmpty, envSecretResolver, upsertCatalog, type CatalogEndpointSpec } from './catalog';
import { CircuitBreakers } from './routing';
import { GatewayMetrics, createHttpApp } from './http';
import { SpendGuard, UsageLedger, spendAuditEvent } from './spend';
import { dataPlaneDispatcher, dataPlaneRoutes, workspaceHashKeys, type DataPlaneServices } from './proxy';
import type { Router } from 'express';
import { closeUpstreamPools, getAdapter } from './providers';
import { createLogger, type Logger } from './logger';
import {
  createAuditAdminRouter, createAuditProducer, createExportJobs, createSigner, loadAuditConfig, startAuditWriter, startExportWorker,
  type AuditAdminAccess, type AuditProducer, type AuditWriter,
} from './audit';
import { createAdminPlane, loadAdminConfig } from './admin';

export interface StartOptions {
  logger?: Logger;
  /** Apply pending migrations at start (serve/demo do; an operator may prefer `gatehouse migrate`). */
  migrate?: boolean;
  /** Endpoints written to an empty catalog at start. */
  seedCatalog?: readonly CatalogEndpointSpec[];
  /** Secret lookup for credential references (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Prometheus default process metrics (off in tests that start several instances). */
  processMetrics?: boolean;
}

export interface Gateway {
  url: string;
  port: number;
  server: Server;
  pool: Pool;
  redis: Redis;
  services: DataPlaneServices;
  /** Stops accepting connections, waits for in-flight requests and streams, then closes everything. */
  close(): Promise<void>;
}

/** Counts requests in flight; `drained` resolves when the count reaches zero. */
class InflightTracker {
  private count = 0;
  private waiters: Array<() => void> = [];
  add(): void { this.count += 1; }
  done(): void {
    this.count -= 1;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }
  get size(): number { return this.count; }
  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** The composition root: config → services → listener. */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl);
  if (options.migrate !== false) await migrate(pool);
  if (options.seedCatalog && (await catalogIsEmpty(pool))) await upsertCatalog(pool, options.seedCatalog);

  const redis = createRedis(config.redisUrl);
  const subscriber = createSubscriber(config.redisUrl);
  const keys = new KeyStore({ pool, redis, subscriber, channel: `${config.redisPrefix}keys:invalidate`, ttlMs: config.keyCacheTtlMs });
  const catalog = new CatalogService({
    pool, redis, subscriber, channel: `${config.redisPrefix}catalog:changed`,
    resolveSecret: envSecretResolver(options.env ?? process.env), defaultTimeouts: config.upstreamTimeouts,
    onReloadError: (err) => logger.error({ err }, 'catalog reload failed; keeping the previous catalog'),
  });
  const policies = new PolicyService({
    pool, redis, subscriber, channel: `${config.redisPrefix}policy:changed`,
    onError: (err) => logger.error({ err }, 'policy refresh failed; keeping the compiled policy'),
  });
  await Promise.all([keys.start(), catalog.start(), policies.start()]);
  const governance = {
    policies,
    piiScanner: createPiiScanner(),
    hashKeyFor: workspaceHashKeys(await instanceSecret(pool, 'pii-hash-key')),
    policyMode: config.policyMode,
  };
  if (config.policyMode === 'off') {
    logger.warn('GATEHOUSE_POLICY_MODE=off: requests are NOT PII-scanned nor decided by policy (benchmarking only); audit events name policy version "off"');
  }

  const metrics = new GatewayMetrics(options.processMetrics ?? true);
  const usage = new UsageLedger({ pool, onError: (err, lost) => logger.error({ err, lost }, 'usage ledger write failed') });
  // The audit log: every request and admin action is enqueued (or spooled) and chained by the writer.
  const auditConfig = loadAuditConfig(options.env ?? process.env);
  const audit: AuditProducer = await createAuditProducer({
    redisUrl: config.redisUrl, prefix: config.redisPrefix, spoolDir: auditConfig.spoolDir, required: auditConfig.required,
    contentKey: auditConfig.contentKey, enqueueTimeoutMs: auditConfig.enqueueTimeoutMs, logger,
  });
  const auditSigner = auditConfig.signingKeyPem ? createSigner(auditConfig.signingKeyPem) : null;
  let auditWriter: AuditWriter | null = null;
  let exportWorker: { close(): Promise<void> } | null = null;
  const exportJobs = await createExportJobs({ pool, redisUrl: config.redisUrl, prefix: config.redisPrefix });
  if (auditConfig.writerInProcess) {
    exportWorker = await startExportWorker({ pool, redisUrl: config.redisUrl, prefix: config.redisPrefix, exportDir: auditConfig.exportDir, signer: auditSigner, logger });
    auditWriter = await startAuditWriter({
      pool, redisUrl: config.redisUrl, prefix: config.redisPrefix, logger,
      signer: auditSigner,
      checkpointEvery: auditConfig.checkpointEvery, checkpointIntervalMs: auditConfig.checkpointIntervalMs, batchSize: auditConfig.writerBatchSize,
    });
  }
  const spend = new SpendGuard({
    redis, pool, prefix: config.redisPrefix, failOpen: config.spendFailOpen, registry: metrics.registry, ledger: usage,
    onEvent: (event) => {
      logger.warn({ spendEvent: event }, event.type);
      audit.emit(spendAuditEvent(event)).catch((err) => logger.error({ err }, 'spend event could not be audited'));
    },
  });
  const inflight = new InflightTracker();
  const services: DataPlaneServices = {
    keys, catalog, breakers: new CircuitBreakers(), metrics, usage, spend, logger, adapterFor: getAdapter,
    bodyLimitBytes: config.bodyLimitBytes, inflight, governance: { ...governance, metricsRegistry: metrics.registry }, audit,
  };
  const routers: Router[] = [];
  // --- admin plane (identity, SSO, admin API): constructed and mounted here ---
  const adminPlane = await createAdminPlane({
    pool, redis, redisPrefix: config.redisPrefix, keys, catalog, logger, config: loadAdminConfig(options.env ?? process.env), audit,
    // The admin plane authenticates and checks AuditLog rights, then leaves the caller in res.locals.
    auditRouter: createAuditAdminRouter({
      pool, exportJobs, signer: auditSigner,
      authorize: async (req) => {
        const access = req.res?.locals.auditAccess as AuditAdminAccess | undefined;
        if (!access) throw Object.assign(new Error('Sign in or send an admin API token.'), { status: 401 });
        return access;
      },
    }),
  });
  routers.push(...adminPlane.routers);
  // --- end admin plane ---
  const app = createHttpApp({ pool, redis, metrics, logger, routers });
  // Slow clients are cut off (408): headers and the whole request each have a deadline, checked often enough
  // to matter (Node checks every 30 s by default). requestTimeout only covers receiving the request, never the
  // response, so long streams are unaffected; with 0 a body dripped byte by byte held its connection forever.
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs || Infinity);
  const server = createServer({
    keepAliveTimeout: 65_000, requestTimeout: config.requestTimeoutMs, headersTimeout,
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(headersTimeout / 4) || 5_000)),
  }, dataPlaneDispatcher(dataPlaneRoutes(services), app));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([inflight.drained(), grace]);
      server.closeAllConnections();
      await stopped;
      await Promise.allSettled([keys.close(), spend.close()]);
      await usage.close();
      await audit.close().catch((err) => logger.error({ err }, 'audit producer close failed'));
      await auditWriter?.close().catch((err) => logger.error({ err }, 'audit writer close failed'));
      await Promise.allSettled([exportWorker?.close(), exportJobs.close()]);
      await Promise.allSettled([redis.quit(), subscriber.quit(), pool.end(), closeUpstreamPools()]);
    })();
    return closing;
  };

  return { url: `http://${host}:${port}`, port, server, pool, redis, services, close };
}
