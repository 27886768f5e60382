import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { ModelRoute } from '../../../src/catalog';
import { createPool, createRedis, migrate, type Pool, type Redis } from '../../../src/db';
import { SpendGuard, UsageLedger, type SpendEvent, type SpendGuardOptions, type SpendSubject, type SpendEstimate } from '../../../src/spend';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';

/** A manual clock tests move forward (window rollover, lease expiry). */
export class TestClock {
  constructor(public ms: number) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void { this.ms += ms; }
}

export interface SpendHarness {
  pool: Pool;
  redis: Redis;
  prefix: string;
  ledger: UsageLedger;
  events: SpendEvent[];
  guard(options?: Partial<SpendGuardOptions>): SpendGuard;
  /** Deletes this test's Redis keys only (the Redis is shared: never FLUSHALL). */
  flushPrefix(): Promise<number>;
  close(): Promise<void>;
}

export async function startSpendHarness(): Promise<SpendHarness> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 4 });
  await migrate(pool);
  const redis = createRedis(TEST_REDIS_URL);
  await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
  const prefix = uniqueRedisPrefix();
  const ledger = new UsageLedger({ pool, flushIntervalMs: 50 });
  const events: SpendEvent[] = [];
  const guards: SpendGuard[] = [];
  const flushPrefix = async (): Promise<number> => {
    let cursor = '0', deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  };
  return {
    pool, redis, prefix, ledger, events, flushPrefix,
    guard(options = {}) {
      const g = new SpendGuard({ redis, pool, prefix, ledger, reapIntervalMs: 0, registry: new Registry(), onEvent: (e) => events.push(e), ...options });
      guards.push(g);
      return g;
    },
    async close() {
      for (const g of guards) g.close();
      await ledger.close();
      await flushPrefix();
      redis.disconnect();
      await pool.end();
      await db.drop();
    },
  };
}

export const newSubject = (overrides: Partial<SpendSubject> = {}): SpendSubject => ({
  orgId: randomUUID(), workspaceId: randomUUID(), userId: randomUUID(), keyId: randomUUID(), ...overrides,
});

/** A route priced at $1 / MTok input and $2 / MTok output. */
export function testRoute(pricing: Partial<ModelRoute['pricing']> = {}): ModelRoute {
  return {
    model: 'test-model', upstreamModel: 'test-model', kind: 'chat', contextTokens: 128_000, maxOutputTokens: 4096,
    pricing: { inputPerMTok: 1, cachedInputPerMTok: null, outputPerMTok: 2, ...pricing },
    endpoint: {
      id: 'test-endpoint', provider: 'openai', displayName: 'Test', priority: 1, credentialsProblem: null,
      governance: { jurisdiction: 'US', dataRegions: ['US'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: [] },
      target: {} as ModelRoute['endpoint']['target'],
    },
  };
}

/** An estimate of `promptTokens` in and `outputTokens` out, priced like testRoute(). */
export function estimateOf(promptTokens: number, outputTokens: number): SpendEstimate {
  return { promptTokens, maxOutputTokens: outputTokens, tokens: promptTokens + outputTokens, usd: (promptTokens * 1 + outputTokens * 2) / 1e6 };
}

/** Reads a cap counter hash as numbers. */
export async function counter(redis: Redis, key: string): Promise<{ spent: number; reserved: number; hydrated: boolean }> {
  const [s, r, h] = await redis.hmget(key, 's', 'r', 'h');
  return { spent: Number(s ?? 0), reserved: Number(r ?? 0), hydrated: h !== null };
}
