import Redis, { type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * A Redis connection that never crashes the process on connection errors: commands fail
 * (and readiness reports it) while ioredis reconnects in the background.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, enableReadyCheck: true, lazyConnect: false, ...options });
  redis.on('error', () => undefined);
  return redis;
}

/** A connection in subscriber mode (ioredis needs a dedicated one for SUBSCRIBE). */
export function createSubscriber(url: string): Redis {
  return createRedis(url, { maxRetriesPerRequest: null });
}
