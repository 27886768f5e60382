/**
 * Events emitted together travel as one BullMQ job (`{b: [...]}`): the queue's per-job cost is
 * shared, and the writer stores every event once, in order, whichever job format it receives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createPool, createRedis, migrate, type Pool } from '../../../src/db';
import { buildAuditEvent, createAuditProducer, startAuditWriter, verifyAuditLog, type AuditWriter } from '../../../src/audit';
import { auditJobs } from '../../../src/audit/producer';
import { AUDIT_QUEUE, bullPrefix } from '../../../src/audit/queue';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';

async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const request = (org: string, i: number) => ({
  type: 'request.completed', orgId: org, actor: { type: 'api_key' as const, id: 'k1' }, outcome: 'success' as const, request: { requestId: `req-${i}` },
});

describe('auditJobs', () => {
  const org = randomUUID();
  const envelopes = Array.from({ length: 250 }, (_, i) => ({ e: buildAuditEvent(request(org, i)) }));

  test('a lone event is a one-event job whose id is the event id', () => {
    const [job] = auditJobs(envelopes.slice(0, 1), 100);
    expect(job.data).toBe(envelopes[0]);
    expect(job.opts.jobId).toBe(envelopes[0].e.id);
  });

  test('several events are chunked into batch jobs, in order', () => {
    const jobs = auditJobs(envelopes, 100);
    expect(jobs.map((j) => ('b' in j.data ? j.data.b.length : 1))).toEqual([100, 100, 50]);
    expect(jobs.flatMap((j) => ('b' in j.data ? j.data.b : [j.data]))).toEqual(envelopes);
    expect(new Set(jobs.map((j) => j.opts.jobId)).size).toBe(3);
  });
});

describe('batched jobs through BullMQ and the writer', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  const prefix = uniqueRedisPrefix();
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'gh-audit-batch-'));
  const queueRedis = createRedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(AUDIT_QUEUE, { connection: queueRedis, prefix: bullPrefix(prefix) });
  let writer: AuditWriter | null = null;

  const count = async (org: string): Promise<number> =>
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1', [org])).rows[0].n;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 4 });
    await migrate(pool);
  });
  afterAll(async () => {
    await writer?.close();
    await queue.close();
    const keysLeft = await queueRedis.keys(`${prefix}*`);
    if (keysLeft.length) await queueRedis.del(...keysLeft);
    queueRedis.disconnect();
    await pool.end();
    await db.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  test('events emitted together become a few jobs; the writer stores each once, in emission order', async () => {
    const org = randomUUID();
    const producer = await createAuditProducer({ redisUrl: TEST_REDIS_URL, prefix, spoolDir, required: true, eventsPerJob: 100 });
    try {
      await Promise.all(Array.from({ length: 250 }, (_, i) => producer.emit(request(org, i))));
      expect(producer.stats()).toMatchObject({ enqueued: 250, spooled: 0, lost: 0 });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 3 });
    } finally {
      await producer.close();
    }
    writer = await startAuditWriter({ pool, redisUrl: TEST_REDIS_URL, prefix, batchSize: 120 });
    await eventually(async () => (await count(org)) === 250);
    const { rows } = await pool.query<{ body: string }>('SELECT body FROM audit_events WHERE org_id = $1 ORDER BY seq', [org]);
    expect(rows.map((r) => (JSON.parse(r.body) as { request: { requestId: string } }).request.requestId))
      .toEqual(Array.from({ length: 250 }, (_, i) => `req-${i}`));
    expect((await verifyAuditLog(pool, { org })).problems).toEqual([]);
    await eventually(async () => (await queue.getJobCounts('waiting', 'active')).waiting === 0);
  });

  test('a batch job with an invalid event stores the valid ones and parks the job in the failed set', async () => {
    const org = randomUUID();
    writer ??= await startAuditWriter({ pool, redisUrl: TEST_REDIS_URL, prefix, batchSize: 120 });
    const good = [buildAuditEvent(request(org, 1)), buildAuditEvent(request(org, 2))];
    const failedBefore = await queue.getFailedCount();
    await queue.add('batch', { b: [{ e: good[0] }, { e: { v: 1, id: 'nope' } }, { e: good[1] }] }, { jobId: `batch-mixed-${org}` });
    await eventually(async () => (await queue.getFailedCount()) === failedBefore + 1);
    expect(await count(org)).toBe(2);
    expect(writer.stats().rejected).toBeGreaterThanOrEqual(1);
  });

  test('one-event jobs (the format of a lone event, and of earlier versions) are still written', async () => {
    const org = randomUUID();
    writer ??= await startAuditWriter({ pool, redisUrl: TEST_REDIS_URL, prefix, batchSize: 120 });
    const event = buildAuditEvent(request(org, 1));
    await queue.add(event.type, { e: event }, { jobId: event.id });
    await eventually(async () => (await count(org)) === 1);
  });
});
