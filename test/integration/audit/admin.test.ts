import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { createPool, createRedis, migrate, type Pool } from '../../../src/db';
import {
  appendEvents, buildAuditEvent, createAuditAdminRouter, createExportJobs, createSigner, generateSigningKeyPem, prepareEvent,
  searchAuditEvents, startExportWorker, verifyExportFile, type ExportJobs,
} from '../../../src/audit';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';

const keys = generateSigningKeyPem();
const signer = createSigner(keys.privateKeyPem);
const ORG = randomUUID();
const WS = randomUUID();

describe('audit admin API: search, background exports', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let jobs: ExportJobs;
  let worker: { close(): Promise<void> };
  const prefix = uniqueRedisPrefix();
  const exportDir = mkdtempSync(path.join(tmpdir(), 'gh-audit-admin-'));
  let app: express.Express;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 4 });
    await migrate(pool);
    await appendEvents(pool, Array.from({ length: 120 }, (_, i) => prepareEvent(buildAuditEvent({
      type: ['request.completed', 'policy.published', 'key.revoked'][i % 3], orgId: ORG, workspaceId: i % 2 ? WS : null,
      actor: { type: 'user', id: `user-${i % 4}` }, outcome: i % 5 === 0 ? 'denied' : 'success', time: Date.parse('2026-02-01T00:00:00Z') + i * 1000,
    }))));
    await appendEvents(pool, [prepareEvent(buildAuditEvent({ type: 'key.revoked', orgId: randomUUID(), actor: { type: 'user', id: 'user-0' } }))]);
    jobs = await createExportJobs({ pool, redisUrl: TEST_REDIS_URL, prefix });
    worker = await startExportWorker({ pool, redisUrl: TEST_REDIS_URL, prefix, exportDir, signer });
    app = express();
    app.use('/admin/audit', createAuditAdminRouter({
      pool, exportJobs: jobs, signer,
      authorize: async (req) => {
        if (req.headers.authorization !== 'Bearer auditor') throw Object.assign(new Error('not allowed'), { status: 403 });
        return { actor: { type: 'user', id: 'auditor@example.com' }, orgId: ORG };
      },
    }));
  });
  afterAll(async () => {
    await worker.close();
    await jobs.close();
    await pool.end();
    await db.drop();
    rmSync(exportDir, { recursive: true, force: true });
    const redis = createRedis(TEST_REDIS_URL);
    const left = await redis.keys(`${prefix}*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });

  it('searches with filters and cursor pagination (newest first, nothing skipped or repeated)', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchAuditEvents(pool, { org: ORG, type: 'key.*', workspaceId: WS, limit: 7, cursor });
      seen.push(...page.events.map((e) => e.seq));
      for (const e of page.events) expect(e.event).toMatchObject({ type: 'key.revoked', workspace: WS });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(20); // i ≡ 2 mod 3 and odd: i ≡ 5 mod 6 → 20 of 120
    const denied = await searchAuditEvents(pool, { org: ORG, outcome: 'denied', actorId: 'user-0', limit: 500 });
    expect(denied.events.every((e) => e.event.outcome === 'denied' && e.event.actor.id === 'user-0')).toBe(true);
    expect(denied.events.length).toBe(6); // i ≡ 0 mod 20
    await expect(searchAuditEvents(pool, { org: ORG, cursor: 'garbage!' })).rejects.toThrow(/cursor/);
  });

  it('serves search over HTTP, scoped to the caller and refusing others', async () => {
    await request(app).get('/admin/audit/events').expect(403);
    const res = await request(app).get('/admin/audit/events?type=policy.published&limit=5').set('authorization', 'Bearer auditor').expect(200);
    expect(res.body.data).toHaveLength(5);
    expect(res.body.next_cursor).toEqual(expect.any(String));
    await request(app).get('/admin/audit/events?from=yesterday').set('authorization', 'Bearer auditor').expect(400);
    await request(app).get('/admin/audit/events?limit=100000').set('authorization', 'Bearer auditor').expect(400);
    const key = await request(app).get('/admin/audit/public-key').set('authorization', 'Bearer auditor').expect(200);
    expect(key.body.key_id).toBe(signer.keyId);
  });

  it('runs a background export with progress and serves the file and its signed manifest', async () => {
    const created = await request(app).post('/admin/audit/exports').set('authorization', 'Bearer auditor')
      .send({ format: 'jsonl', type: 'request.*' }).expect(202);
    const id = created.body.id as string;
    let status = created.body;
    for (let i = 0; i < 100 && status.status !== 'done' && status.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await request(app).get(`/admin/audit/exports/${id}`).set('authorization', 'Bearer auditor').expect(200)).body;
    }
    expect(status).toMatchObject({ status: 'done', progress: 1 });
    const file = await request(app).get(`/admin/audit/exports/${id}/file`).set('authorization', 'Bearer auditor').buffer(true).parse((res, cb) => {
      let data = '';
      res.on('data', (c: Buffer) => { data += c.toString(); });
      res.on('end', () => cb(null, data));
    }).expect(200);
    const manifest = await request(app).get(`/admin/audit/exports/${id}/manifest`).set('authorization', 'Bearer auditor').expect(200);
    const local = path.join(exportDir, 'downloaded.jsonl');
    writeFileSync(local, file.body as string);
    writeFileSync(`${local}.manifest.json`, JSON.stringify(manifest.body));
    const verified = await verifyExportFile(local, { publicKeyPem: keys.publicKeyPem });
    expect(verified).toMatchObject({ ok: true, records: 40 });
    const events = await pool.query<{ type: string }>("SELECT type FROM audit_events WHERE org_id = $1 AND type LIKE 'export.%' ORDER BY seq", [ORG]);
    expect(events.rows.map((r) => r.type)).toEqual(['export.requested', 'export.completed']);
    await request(app).get(`/admin/audit/exports/${randomUUID()}`).set('authorization', 'Bearer auditor').expect(404);
    await request(app).post('/admin/audit/exports').set('authorization', 'Bearer auditor').send({ format: 'xml' }).expect(400);
  });
});
