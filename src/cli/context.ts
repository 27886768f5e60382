import { loadConfig, type GatewayConfig } from '../config';
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

/** Tells running gateways that a key changed, so revocations apply at once everywhere. */
export async function broadcastKeyChange(config: GatewayConfig, lookupId: string): Promise<void> {
  const redis = createRedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.publish(`${config.redisPrefix}keys:invalidate`, lookupId);
  } finally {
    redis.disconnect();
  }
}
