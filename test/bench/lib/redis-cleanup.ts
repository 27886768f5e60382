/** Removes the Redis keys a benchmark's gateways created under their own prefix (spend counters, audit queue). */
import Redis from 'ioredis';

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  if (!prefix || prefix.includes('*')) throw new Error(`refusing to delete Redis keys for prefix "${prefix}"`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
