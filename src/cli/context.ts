import { hostname } from 'node:os';
import { loadConfig, type GatewayConfig } from '../config';
import { createAuditProducer, loadAuditConfig, type AuditActor, type AuditEventInput } from '../audit';
import { createPool, createRedis, ensureDatabase, migrate, type Pool } from '../db';

/** Runs `fn` with a migrated database pool for a one-shot CLI command, then closes it. */
export async function withDatabase<T>(fn: (pool: Pool, config: GatewayConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, { max: 2 });
  try {
    await migrate(pool);
    return await fn(pool, config);
  } finally {
    await pool.end();
  }
}

/** Publishes one message on a gateway channel (`keys:invalidate`, `policy:changed`, …) so running instances react at once. */
export async function publishToGateways(config: GatewayConfig, channel: string, message: string): Promise<void> {
  const redis = createRedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.publish(`${config.redisPrefix}${channel}`, message);
  } finally {
    redis.disconnect();
  }
}

/** Tells running gateways that a key changed, so revocations apply at once everywhere. */
export const broadcastKeyChange = (config: GatewayConfig, lookupId: string): Promise<void> =>
  publishToGateways(config, 'keys:invalidate', lookupId);

/** Who ran the CLI: the operator's OS user (the CLI has database access; it is the operator's own tool). */
export function cliActor(): AuditActor {
  const user = process.env.SUDO_USER || process.env.USER || process.env.LOGNAME || 'unknown';
  return { type: 'system', id: 'cli', label: `gatehouse CLI run by ${user}@${hostname()}` };
}

/**
 * Records a CLI change in the audit log. Refuses (throws) when the event cannot be made durable and
 * AUDIT_REQUIRED is on, so an operator's change is never unaudited; call it before reporting success.
 */
export async function auditCliAction(config: GatewayConfig, event: Omit<AuditEventInput, 'actor'>): Promise<void> {
  const auditConfig = loadAuditConfig();
  const producer = await createAuditProducer({
    redisUrl: config.redisUrl, prefix: config.redisPrefix, spoolDir: auditConfig.spoolDir, required: auditConfig.required,
    enqueueTimeoutMs: auditConfig.enqueueTimeoutMs,
  });
  try {
    await producer.emit({ ...event, actor: cliActor() });
  } finally {
    await producer.close();
  }
}
