import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** `GET /healthz`: the process is up and its event loop turns. */
export function healthz(_req: Request, res: Response): void {
  res.json({ status: 'ok' });
}

/** `GET /readyz`: PostgreSQL and Redis both answer; 503 (with which one failed) otherwise. */
export function readyz(pool: Pool, redis: Redis, timeoutMs = 2000) {
  return async (_req: Request, res: Response): Promise<void> => {
    const [pg, rd] = await Promise.allSettled([
      withTimeout(pool.query('SELECT 1'), timeoutMs, 'PostgreSQL'),
      withTimeout(redis.ping(), timeoutMs, 'Redis'),
    ]);
    const checks = {
      postgres: pg.status === 'fulfilled' ? 'ok' : (pg.reason as Error).message,
      redis: rd.status === 'fulfilled' ? 'ok' : (rd.reason as Error).message,
    };
    const ready = checks.postgres === 'ok' && checks.redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  };
}
