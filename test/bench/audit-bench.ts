/**
 * Audit log benchmark (npm run bench:audit). Prints:
 *  - request-path cost of producer.emit() (synchronous part the request pays), p50/p99 µs
 *  - time until an emitted event is durable in Redis, p50/p99 ms
 *  - writer throughput: events/s from a pre-filled BullMQ queue into the hash-chained table
 *  - raw chain append throughput (appendEvents, batches of 500) without the queue
 * Uses a fresh database and its own Redis prefix; both are removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createPool, createRedis, migrate } from '../../src/db';
import {
  appendEvents, buildAuditEvent, createAuditProducer, createSigner, generateSigningKeyPem, prepareEvent, startAuditWriter,
  verifyAuditLog, type AuditEventInput,
} from '../../src/audit';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../helpers/database';

const N_WRITER = Number(process.env.AUDIT_BENCH_EVENTS ?? 50_000);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function requestEvent(org: string, i: number): AuditEventInput {
  return {
    type: 'request.completed', orgId: org, workspaceId: org, actor: { type: 'api_key', id: 'key_01HX', label: 'ci key' }, outcome: 'success',
    decision: { id: `d${i}`, policyVersion: 'v12', allow: true, rules: ['allow.default'] },
    request: { requestId: `req_${i}`, route: 'chat', model: 'gpt-4o-mini', endpoint: 'openai-main', stream: false, status: 200, promptTokens: 812, completionTokens: 96, costUsd: 0.000179, latencyMs: 420 },
    pii: { EMAIL_ADDRESS: 1 },
  };
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 6 });
  await migrate(pool);
  const prefix = uniqueRedisPrefix();
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'gh-audit-bench-'));
  const signer = createSigner(generateSigningKeyPem().privateKeyPem);
  const producer = await createAuditProducer({ redisUrl: TEST_REDIS_URL, prefix, spoolDir, required: true });
  try {
    // 1. Request-path cost: the synchronous part of emit(), at a request-like pace.
    const org = randomUUID();
    for (let i = 0; i < 2_000; i++) void producer.emit(requestEvent(org, i)); // warm-up
    await new Promise((r) => setTimeout(r, 500));
    const sync: number[] = [];
    const durable: number[] = [];
    const pending: Promise<void>[] = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 25; i++) {
        const t0 = process.hrtime.bigint();
        const p = producer.emit(requestEvent(org, round * 25 + i));
        const t1 = process.hrtime.bigint();
        sync.push(Number(t1 - t0) / 1000);
        pending.push(p.then(() => { durable.push(Number(process.hrtime.bigint() - t0) / 1e6); }));
      }
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    sync.sort((a, b) => a - b);
    durable.sort((a, b) => a - b);
    console.log(`emit() on the request path: p50 ${pct(sync, 0.5).toFixed(1)} µs, p99 ${pct(sync, 0.99).toFixed(1)} µs (${sync.length} calls)`);
    console.log(`emit → durable in Redis:    p50 ${pct(durable, 0.5).toFixed(2)} ms, p99 ${pct(durable, 0.99).toFixed(2)} ms`);

    // 2. Writer throughput from a pre-filled queue.
    const org2 = randomUUID();
    const orgs = [org2, randomUUID(), randomUUID(), randomUUID()];
    const tFill = performance.now();
    for (let i = 0; i < N_WRITER; i += 5_000) {
      await Promise.all(Array.from({ length: Math.min(5_000, N_WRITER - i) }, (_, j) => producer.emit(requestEvent(orgs[(i + j) % orgs.length], i + j))));
    }
    const fillMs = performance.now() - tFill;
    console.log(`producer enqueue: ${N_WRITER} events in ${fillMs.toFixed(0)} ms (${Math.round(N_WRITER / (fillMs / 1000))} events/s)`);
    const before = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events')).rows[0].n;
    const t0 = performance.now();
    const writer = await startAuditWriter({ pool, redisUrl: TEST_REDIS_URL, prefix, signer, batchSize: 1000, checkpointEvery: 10_000 });
    for (;;) {
      const n = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events')).rows[0].n;
      if (n - before >= N_WRITER) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const writeMs = performance.now() - t0;
    const stats = writer.stats();
    await writer.close();
    console.log(`writer (BullMQ → chained table): ${N_WRITER} events in ${writeMs.toFixed(0)} ms = ${Math.round(N_WRITER / (writeMs / 1000))} events/s `
      + `(${stats.batches} transactions, avg batch ${Math.round(stats.written / Math.max(1, stats.batches))}, ${stats.checkpoints} checkpoints)`);

    // 3. Raw chain append (no queue), batches of 500.
    const org3 = randomUUID();
    const prepared = Array.from({ length: 20_000 }, (_, i) => prepareEvent(buildAuditEvent(requestEvent(org3, i))));
    const t3 = performance.now();
    for (let i = 0; i < prepared.length; i += 500) await appendEvents(pool, prepared.slice(i, i + 500));
    const appendMs = performance.now() - t3;
    console.log(`appendEvents (batches of 500): ${prepared.length} events in ${appendMs.toFixed(0)} ms = ${Math.round(prepared.length / (appendMs / 1000))} events/s`);

    const t4 = performance.now();
    const report = await verifyAuditLog(pool);
    const rows = report.chains.reduce((a, c) => a + c.rows, 0);
    const verifyMs = performance.now() - t4;
    console.log(`verify: ${rows} rows in ${verifyMs.toFixed(0)} ms = ${Math.round(rows / (verifyMs / 1000))} rows/s, ok=${report.ok}`);
  } finally {
    await producer.close();
    await pool.end();
    await db.drop();
    rmSync(spoolDir, { recursive: true, force: true });
    const redis = createRedis(TEST_REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
