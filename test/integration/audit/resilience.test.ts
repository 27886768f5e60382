import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createPool, createRedis, ensureDatabase, migrate, type Pool } from '../../../src/db';
import { createAuditProducer, startAuditWriter, verifyAuditLog } from '../../../src/audit';
import { AUDIT_QUEUE, bullPrefix } from '../../../src/audit/queue';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';
import { ownPostgres, type OwnPostgres } from './servers';

async function eventually(check: () => Promise<boolean>, ms = 25_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stats = async (pool: Pool, org: string): Promise<{ n: number; distinct: number; max: number }> =>
  (await pool.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct, coalesce(max(seq), 0)::int AS max FROM audit_events WHERE org_id = $1', [org])).rows[0];

const event = (org: string, i: number) => ({ type: 'request.decided', orgId: org, actor: { type: 'api_key' as const, id: 'k' }, request: { requestId: `r${i}` } });

function startWriterProcess(env: Record<string, string>): Promise<ChildProcess> {
  // One process (tsx as a loader, not the tsx CLI, which would run the script in a grandchild
  // that SIGKILL would not reach).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'writer-process.ts')], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
}

describe('audit pipeline resilience', () => {
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'gh-audit-res-'));
  afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

  it('a writer killed mid-batch is resumed by the next one: no duplicates, no gaps', async () => {
    const db = await createTestDatabase();
    const pool = createPool(db.url, { max: 3 });
    const prefix = uniqueRedisPrefix();
    const org = randomUUID();
    const producer = await createAuditProducer({ redisUrl: TEST_REDIS_URL, prefix, spoolDir, required: true });
    const children: ChildProcess[] = [];
    try {
      await migrate(pool);
      const total = 4000;
      await Promise.all(Array.from({ length: total }, (_, i) => producer.emit(event(org, i))));
      const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, PREFIX: prefix };
      const first = await startWriterProcess(env);
      children.push(first);
      await eventually(async () => (await stats(pool, org)).n >= 400);
      const exited = new Promise((r) => first.once('exit', r));
      first.kill('SIGKILL');
      await exited;
      const atKill = (await stats(pool, org)).n;
      expect(atKill).toBeLessThan(total); // it really died in the middle
      children.push(await startWriterProcess(env));
      await eventually(async () => (await stats(pool, org)).n === total, 45_000);
      await new Promise((r) => setTimeout(r, 2_000)); // stalled jobs of the killed writer come back: still nothing extra
      expect(await stats(pool, org)).toEqual({ n: total, distinct: total, max: total });
      const report = await verifyAuditLog(pool, { org });
      expect(report.problems).toEqual([]);
    } finally {
      await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => {
        c.once('exit', r);
        c.kill('SIGKILL');
      })));
      await producer.close();
      await pool.end();
      await db.drop();
      const redis = createRedis(TEST_REDIS_URL);
      const left = await redis.keys(`${prefix}*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
    }
  }, 90_000);

  describe('with PostgreSQL unavailable for a while', () => {
    let pg: OwnPostgres;
    beforeAll(async () => {
      pg = await ownPostgres();
    }, 60_000);
    afterAll(async () => {
      await pg?.destroy();
    });

    it('the queue holds the events, then drains into an intact chain', async () => {
      const url = pg.url.replace(/\/postgres$/, '/gatehouse_audit');
      await ensureDatabase(url);
      const pool = createPool(url, { max: 3, connectionTimeoutMillis: 1_000 });
      await migrate(pool);
      const prefix = uniqueRedisPrefix();
      const org = randomUUID();
      const producer = await createAuditProducer({ redisUrl: TEST_REDIS_URL, prefix, spoolDir, required: true });
      const writer = await startAuditWriter({ pool, redisUrl: TEST_REDIS_URL, prefix, batchSize: 100 });
      const queueRedis = createRedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue(AUDIT_QUEUE, { connection: queueRedis, prefix: bullPrefix(prefix) });
      try {
        await Promise.all(Array.from({ length: 300 }, (_, i) => producer.emit(event(org, i))));
        await eventually(async () => (await stats(pool, org)).n === 300);
        await pg.stop();
        await Promise.all(Array.from({ length: 700 }, (_, i) => producer.emit(event(org, 300 + i))));
        expect(producer.stats().lost).toBe(0);
        await new Promise((r) => setTimeout(r, 1_500));
        // Events emitted together share a job ({b: [...]}): count the events the held jobs carry.
        const held = await queue.getJobs(['waiting', 'active']);
        const events = held.reduce((n, job) => n + (Array.isArray((job.data as { b?: unknown[] }).b) ? (job.data as { b: unknown[] }).b.length : 1), 0);
        expect(events).toBe(700); // nothing dropped, nothing failed
        expect(await queue.getFailedCount()).toBe(0);
        await pg.start();
        await eventually(async () => {
          try {
            return (await stats(pool, org)).n === 1000;
          } catch {
            return false;
          }
        }, 40_000);
        expect(await stats(pool, org)).toEqual({ n: 1000, distinct: 1000, max: 1000 });
        expect((await verifyAuditLog(pool, { org })).ok).toBe(true);
      } finally {
        await queue.close();
      queueRedis.disconnect();
        await producer.close();
        await writer.close();
        await pool.end();
      }
    }, 90_000);
  });
});
