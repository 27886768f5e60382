import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createPool, createRedis, migrate, type Pool } from '../../../src/db';
import {
  createAuditProducer, createSigner, generateSigningKeyPem, loadPublicKey, startAuditWriter, verifyAuditLog,
  createContentCipher, AuditEventError, type AuditProducer, type AuditWriter,
} from '../../../src/audit';
import { AUDIT_QUEUE, bullPrefix } from '../../../src/audit/queue';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';
import { ownRedis, type OwnRedis } from './servers';

const keys = generateSigningKeyPem();
const signer = createSigner(keys.privateKeyPem);
const pinned = [loadPublicKey(keys.publicKeyPem)];

async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = async (pool: Pool, org: string): Promise<number> =>
  (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1', [org])).rows[0].n;

function request(org: string, i: number) {
  return { type: 'request.completed', orgId: org, actor: { type: 'api_key' as const, id: 'k1' }, outcome: 'success' as const, request: { requestId: `req-${i}` } };
}

describe('producer → BullMQ → writer', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'gh-audit-spool-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 6 });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  describe('on the shared Redis', () => {
    const prefix = uniqueRedisPrefix();
    let producer: AuditProducer;
    let writer: AuditWriter;
    const contentKey = Buffer.alloc(32, 7).toString('base64');

    beforeAll(async () => {
      producer = await createAuditProducer({ redisUrl: TEST_REDIS_URL, prefix, spoolDir: path.join(spoolDir, 'shared'), required: true, contentKey });
      writer = await startAuditWriter({ pool, redisUrl: TEST_REDIS_URL, prefix, signer, checkpointEvery: 100, batchSize: 200 });
    });
    afterAll(async () => {
      await producer.close();
      await writer.close();
      const redis = createRedis(TEST_REDIS_URL);
      const keysLeft = await redis.keys(`${prefix}*`);
      if (keysLeft.length) await redis.del(...keysLeft);
      redis.disconnect();
    });

    it('writes every emitted event once, in a verifiable chain with checkpoints', async () => {
      const org = randomUUID();
      expect(producer.available).toBe(true);
      await Promise.all(Array.from({ length: 1000 }, (_, i) => producer.emit(request(org, i))));
      expect(producer.stats()).toMatchObject({ enqueued: 1000, spooled: 0, lost: 0 });
      await eventually(async () => (await count(pool, org)) === 1000);
      await writer.checkpointNow();
      const report = await verifyAuditLog(pool, { org, trustedKeys: pinned });
      expect(report.problems).toEqual([]);
      expect(report.chains[0].rows).toBe(1000);
      expect(report.chains[0].checkpointsVerified).toBeGreaterThanOrEqual(1);
    });

    it('keeps duplicate ids out (same id emitted twice, and re-added after completion)', async () => {
      const org = randomUUID();
      const id = '01900000-0000-7000-8000-00000000abcd'.replace('abcd', randomUUID().slice(-4));
      await producer.emit({ ...request(org, 1), id });
      await producer.emit({ ...request(org, 1), id });
      await eventually(async () => (await count(pool, org)) === 1);
      await producer.emit({ ...request(org, 1), id }); // job removed on completion → added again → writer drops it
      await producer.emit(request(org, 2));
      await eventually(async () => (await count(pool, org)) === 2);
      expect(await count(pool, org)).toBe(2);
      expect(writer.stats().duplicates).toBeGreaterThanOrEqual(1);
    });

    it('stores allowed content encrypted and apart from the chain; never stores it otherwise', async () => {
      const org = randomUUID();
      await producer.emit({ ...request(org, 1), content: { prompt: 'secret prompt text' }, storeContent: true });
      await producer.emit({ ...request(org, 2), content: { prompt: 'not allowed text' } });
      await eventually(async () => (await count(pool, org)) === 2);
      const { rows } = await pool.query<{ body: string }>('SELECT body FROM audit_events WHERE org_id = $1 ORDER BY seq', [org]);
      expect(rows.map((r) => r.body).join('')).not.toMatch(/secret prompt|not allowed/);
      expect(JSON.parse(rows[0].body).content).toMatchObject({ keyId: createContentCipher(contentKey).keyId });
      expect(JSON.parse(rows[1].body).content).toBeUndefined();
      const stored = await pool.query<{ key_id: string; blob: Buffer }>('SELECT key_id, blob FROM audit_contents WHERE org_id = $1', [org]);
      expect(stored.rows).toHaveLength(1);
      const opened = createContentCipher(contentKey).open({ keyId: stored.rows[0].key_id, blob: stored.rows[0].blob.toString('base64') });
      expect(opened.prompt).toBe('secret prompt text');
      // Erasing content does not break the chain.
      await pool.query('DELETE FROM audit_contents WHERE org_id = $1', [org]);
      expect((await verifyAuditLog(pool, { org, trustedKeys: pinned })).ok).toBe(true);
    });

    it('rejects invalid input synchronously and parks poison jobs in the failed set', async () => {
      expect(() => producer.emit({ ...request(randomUUID(), 1), orgId: 'x' })).toThrow(AuditEventError);
      const queueRedis = createRedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue(AUDIT_QUEUE, { connection: queueRedis, prefix: bullPrefix(prefix) });
      await queue.add('bogus', { e: { v: 1, id: 'nope' } }, { jobId: 'poison-1' });
      await eventually(async () => (await queue.getFailedCount()) === 1);
      expect(writer.stats().rejected).toBeGreaterThanOrEqual(1);
      await queue.close();
      queueRedis.disconnect();
    });
  });

  describe('with Redis stopped in the middle of a load', () => {
    // KNOWN INTERMITTENT (seen twice in full-suite runs on 2 loaded cores since audit batching, never alone):
    // the test hit jest's 30 s limit while waiting for the replay to reach 900 events. Under investigation (issue 10);
    // one retry keeps CI meaningful meanwhile, and the chaos suite checks the same invariant end to end.
    jest.retryTimes(1, { logErrorsBeforeRetry: true });
    let redis: OwnRedis;
    const prefix = 'gh-own:';

    beforeAll(async () => {
      redis = await ownRedis();
    });
    afterAll(async () => {
      await redis.destroy();
    });

    it('spools while Redis is down, replays when it is back: exact count, no duplicates', async () => {
      const dir = path.join(spoolDir, 'own');
      const org = randomUUID();
      const producer = await createAuditProducer({ redisUrl: redis.url, prefix, spoolDir: dir, required: true, enqueueTimeoutMs: 300 });
      const writer = await startAuditWriter({ pool, redisUrl: redis.url, prefix, batchSize: 100, signer });
      try {
        const emitted: Promise<void>[] = [];
        for (let i = 0; i < 300; i++) emitted.push(producer.emit(request(org, i)));
        await Promise.all(emitted);
        expect(producer.stats().enqueued + producer.stats().spooled).toBe(300);
        await redis.stop();
        expect(producer.available).toBe(true); // the spool can take events
        for (let i = 300; i < 900; i++) {
          emitted.push(producer.emit(request(org, i)));
          if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
        }
        await Promise.all(emitted); // every emit resolved: each event is in Redis or on disk
        const stats = producer.stats();
        expect(stats.lost).toBe(0);
        expect(stats.spooled).toBeGreaterThan(0);
        expect(stats.enqueued + stats.spooled).toBe(900);
        expect(readdirSync(dir).some((f) => f.endsWith('.spool'))).toBe(true);
        await redis.start(); // with what it had acknowledged (AOF, fsync always)
        await eventually(async () => (await count(pool, org)) === 900, 30_000);
        expect(producer.stats().replayed).toBe(stats.spooled);
        const report = await verifyAuditLog(pool, { org, trustedKeys: pinned });
        expect(report.problems).toEqual([]);
        expect(report.chains[0].rows).toBe(900);
        expect(readdirSync(dir).filter((f) => f.includes('.spool'))).toEqual([]);
      } finally {
        await producer.close();
        await writer.close();
      }
    }, 75_000); // its own 30 s wait for the replay must be able to fail with its message, not jest's time-out

    it('refuses (rejects) when neither Redis nor the spool can take the event', async () => {
      await redis.stop();
      const producer = await createAuditProducer({ redisUrl: redis.url, prefix, spoolDir: '/etc/hostname/gatehouse-spool', required: true, enqueueTimeoutMs: 100 });
      try {
        expect(producer.available).toBe(false);
        await expect(producer.emit(request(randomUUID(), 1))).rejects.toMatchObject({ code: 'audit_unavailable' });
        expect(producer.stats().lost).toBe(1);
      } finally {
        await producer.close();
        await redis.start();
      }
    });

    it('replays the spool a crashed producer left behind', async () => {
      const dir = path.join(spoolDir, 'crash');
      const org = randomUUID();
      await redis.stop();
      const first = await createAuditProducer({ redisUrl: redis.url, prefix, spoolDir: dir, required: true, enqueueTimeoutMs: 100 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => first.emit(request(org, i))));
      expect(first.stats().spooled).toBe(50);
      await first.close(); // its segment is handed over (as a crashed process's would be)
      await redis.start();
      const second = await createAuditProducer({ redisUrl: redis.url, prefix, spoolDir: dir, required: true });
      const writer = await startAuditWriter({ pool, redisUrl: redis.url, prefix, batchSize: 100 });
      try {
        await eventually(async () => (await count(pool, org)) === 50);
        expect(second.stats().replayed).toBe(50);
      } finally {
        await second.close();
        await writer.close();
      }
    });
  });
});
