/**
 * Spend guard benchmark (a script, not a test): cost of reserve + settle per request against real
 * Redis and the maximum reservations per second, with a realistic set of limits on (workspace
 * month USD cap, user day token cap, key day USD cap, soft workspace cap, key rpm/tpm/parallel,
 * workspace rpm). Also the estimate (tokenizer) cost of a typical chat request.
 * Usage: npm run bench:spend [-- --requests 5000 --seconds 5 --concurrency 64]
 */
import { randomUUID } from 'node:crypto';
import { createPool, createRedis, dropDatabase, ensureDatabase, migrate } from '../../src/db';
import type { ModelRoute } from '../../src/catalog';
import { estimateChatCost, SpendGuard, type CapSpec, type RateSpec, type SpendSubject } from '../../src/spend';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : Number(args[i + 1]);
};
const REQUESTS = opt('requests', 5000);
const SECONDS = opt('seconds', 5);
const CONCURRENCY = opt('concurrency', 64);

const BASE = process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const route: ModelRoute = {
  model: 'gpt-4o', upstreamModel: 'gpt-4o', kind: 'chat', contextTokens: 128_000, maxOutputTokens: 16_384,
  pricing: { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  endpoint: { id: 'bench', provider: 'openai', displayName: 'bench', priority: 1, credentialsProblem: null, target: {} as never,
    governance: { jurisdiction: null, dataRegions: null, zeroDataRetention: null, trainsOnData: null, retentionDays: null, certifications: null } },
};
const caps: CapSpec[] = [
  { scope: 'workspace', window: 'month', unit: 'usd', limit: 1e6, hard: true },
  { scope: 'workspace', window: 'month', unit: 'usd', limit: 5e5, hard: false },
  { scope: 'user', window: 'day', unit: 'tokens', limit: 1e12, hard: true },
  { scope: 'key', window: 'day', unit: 'usd', limit: 1e6, hard: true, timeZone: 'Europe/Paris' },
];
const rates: RateSpec[] = [{ scope: 'key', rpm: 1e8, tpm: 1e12, maxParallel: 10_000 }, { scope: 'workspace', rpm: 1e8 }];
const usage = { promptTokens: 250, completionTokens: 180, cachedTokens: 0 };

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const url = new URL(BASE);
  url.pathname = `/gatehouse_bench_spend_${process.pid}`;
  await ensureDatabase(url.toString());
  const pool = createPool(url.toString(), { max: 4 });
  await migrate(pool);
  const redis = createRedis(REDIS);
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const prefix = `ghbench:${process.pid}:`;
  const guard = new SpendGuard({ redis, pool, prefix, reapIntervalMs: 0 });
  const subject: SpendSubject = { orgId: randomUUID(), workspaceId: randomUUID(), userId: randomUUID(), keyId: randomUUID() };
  const req = {
    model: 'gpt-4o', max_tokens: 512,
    messages: [
      { role: 'system' as const, content: 'You are a helpful assistant for the finance team. Answer briefly and cite the policy section.' },
      { role: 'user' as const, content: 'Can I expense a client dinner for four people at 180 EUR in Berlin, and which receipts do I need to keep? '.repeat(3) },
    ],
  };
  try {
    // Estimate (tokenizer) cost.
    for (let i = 0; i < 200; i++) estimateChatCost(req, route);
    let t = performance.now();
    for (let i = 0; i < 5000; i++) estimateChatCost(req, route);
    const estimateUs = ((performance.now() - t) * 1000) / 5000;
    const estimate = estimateChatCost(req, route);

    // Warm up (first reservation rebuilds the counters from the ledger).
    for (let i = 0; i < 200; i++) await guard.settle(await guard.reserve(subject, estimate, caps, rates), usage, route);

    const ping: number[] = [];
    for (let i = 0; i < 2000; i++) { const s = performance.now(); await redis.ping(); ping.push((performance.now() - s) * 1000); }
    ping.sort((a, b) => a - b);

    const reserveUs: number[] = [], settleUs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const a = performance.now();
      const r = await guard.reserve(subject, estimate, caps, rates);
      const b = performance.now();
      await guard.settle(r, usage, route);
      reserveUs.push((b - a) * 1000);
      settleUs.push((performance.now() - b) * 1000);
    }
    reserveUs.sort((x, y) => x - y);
    settleUs.sort((x, y) => x - y);
    const pair = reserveUs.map((v, i) => v + settleUs[i]!).sort((x, y) => x - y);

    // Throughput: CONCURRENCY workers doing reserve → settle for SECONDS.
    let done = 0;
    const deadline = performance.now() + SECONDS * 1000;
    t = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await guard.settle(await guard.reserve(subject, estimate, caps, rates), usage, route);
        done++;
      }
    }));
    const perSecond = done / ((performance.now() - t) / 1000);

    console.log(`spend guard: ${caps.length} caps (3 counters), ${rates.length} rate specs (3 buckets + 1 parallel slot), Redis ${REDIS}`);
    console.log(`  estimate (o200k tokenizer, ${estimate.promptTokens}-token prompt)  ${estimateUs.toFixed(1)} µs`);
    console.log(`  Redis PING round trip              p50 ${pct(ping, 50).toFixed(0)} µs   p99 ${pct(ping, 99).toFixed(0)} µs`);
    console.log(`  reserve (sequential, n=${REQUESTS})     p50 ${pct(reserveUs, 50).toFixed(0)} µs   p99 ${pct(reserveUs, 99).toFixed(0)} µs`);
    console.log(`  settle  (sequential)               p50 ${pct(settleUs, 50).toFixed(0)} µs   p99 ${pct(settleUs, 99).toFixed(0)} µs`);
    console.log(`  reserve + settle                   p50 ${pct(pair, 50).toFixed(0)} µs   p99 ${pct(pair, 99).toFixed(0)} µs`);
    console.log(`  max throughput (${CONCURRENCY} concurrent, ${SECONDS}s)  ${perSecond.toFixed(0)} reserve+settle pairs/s`);
  } finally {
    guard.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await pool.end();
    await dropDatabase(url.toString());
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
