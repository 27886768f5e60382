import { randomUUID } from 'node:crypto';
import { createPool, migrate, type Pool } from '../../../src/db';
import {
  appendEvents, buildAuditEvent, createSigner, generateSigningKeyPem, loadPublicKey, prepareEvent, verifyAuditLog,
  chainHash, GENESIS_HASH, type AuditEventInput,
} from '../../../src/audit';
import { registerSigningKey, writeCheckpoint } from '../../../src/audit/checkpoints';
import { readHeads } from '../../../src/audit/store';
import { createTestDatabase } from '../../helpers/database';

const ORG_A = randomUUID();
const ORG_B = randomUUID();
const keys = generateSigningKeyPem();
const signer = createSigner(keys.privateKeyPem);
const pinned = [loadPublicKey(keys.publicKeyPem)];

function event(org: string, i: number, extra: Partial<AuditEventInput> = {}) {
  return prepareEvent(buildAuditEvent({
    type: 'request.completed', orgId: org, actor: { type: 'api_key', id: `key-${i % 3}` }, outcome: 'success',
    request: { requestId: `r${i}`, model: 'demo-chat', promptTokens: i, costUsd: i / 1000 }, pii: { EMAIL: i % 2 }, ...extra,
  }));
}

describe('audit chain in PostgreSQL', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 6 });
    await migrate(pool);
    await registerSigningKey(pool, signer);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('appends per-organisation chains with gapless seq and SHA-256(prev ‖ canonical body)', async () => {
    const batch = [event(ORG_A, 1), event(ORG_B, 1), event(ORG_A, 2), event(ORG_A, 3)];
    const result = await appendEvents(pool, batch);
    expect(result.inserted).toBe(4);
    const { rows } = await pool.query<{ org_id: string; seq: string; body: string; prev_hash: Buffer; hash: Buffer }>(
      'SELECT org_id::text, seq, body, prev_hash, hash FROM audit_events ORDER BY org_id, seq');
    const a = rows.filter((r) => r.org_id === ORG_A);
    expect(a.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(a[0].prev_hash.equals(GENESIS_HASH)).toBe(true);
    expect(a[0].hash.equals(chainHash(GENESIS_HASH, batch[0].body))).toBe(true);
    expect(a[1].prev_hash.equals(a[0].hash)).toBe(true);
    expect(a[2].body).toBe(batch[3].body);
    expect(rows.filter((r) => r.org_id === ORG_B).map((r) => Number(r.seq))).toEqual([1]);
    const heads = await readHeads(pool, [ORG_A, ORG_B, randomUUID()]);
    expect(heads.get(ORG_A)!.seq).toBe(3);
    expect([...heads.values()].map((h) => h.seq)).toEqual([3, 1, 0]);
  });

  it('ignores duplicate ids, within a batch and across batches', async () => {
    const e = event(ORG_A, 4);
    const r1 = await appendEvents(pool, [e, e]);
    const r2 = await appendEvents(pool, [e, event(ORG_A, 5)]);
    expect([r1.inserted, r1.duplicates, r2.inserted, r2.duplicates]).toEqual([1, 1, 1, 1]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1', [ORG_A]);
    expect(rows[0].n).toBe(5);
  });

  it('keeps chains correct with concurrent writers (advisory lock)', async () => {
    const writers = Array.from({ length: 6 }, (_, w) => (async () => {
      for (let b = 0; b < 10; b++) {
        await appendEvents(pool, Array.from({ length: 20 }, (_, i) => event(i % 2 ? ORG_A : ORG_B, w * 1000 + b * 20 + i)));
      }
    })());
    await Promise.all(writers);
    const report = await verifyAuditLog(pool, { trustedKeys: pinned });
    expect(report.problems).toEqual([]);
    const counts = Object.fromEntries(report.chains.map((c) => [c.org, c.rows]));
    expect(counts[ORG_A]).toBe(5 + 600);
    expect(counts[ORG_B]).toBe(1 + 600);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even for the owner', async () => {
    await expect(pool.query("UPDATE audit_events SET type = 'x.y' WHERE org_id = $1 AND seq = 1", [ORG_A])).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_events WHERE org_id = $1 AND seq = 1', [ORG_A])).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_checkpoints')).resolves.toBeDefined(); // no rows yet: trigger never fires
    await writeCheckpoint(pool, signer, ORG_A, (await readHeads(pool, [ORG_A])).get(ORG_A)!);
    await expect(pool.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);
    await expect(pool.query("SET LOCAL gatehouse.audit_purge = 'on'; DELETE FROM audit_events WHERE org_id = '" + ORG_A + "' AND seq = 1"))
      .rejects.toThrow(/append-only/); // purge flag alone is not enough: no seal covers the row
  });

  it('gives the gatehouse_app role INSERT/SELECT only', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE gatehouse_app');
      await expect(client.query('SELECT count(*) FROM audit_events')).resolves.toBeDefined();
      await client.query('SAVEPOINT s');
      await expect(client.query("UPDATE audit_events SET outcome = 'x'")).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK TO SAVEPOINT s');
      await expect(client.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK TO SAVEPOINT s');
      await expect(client.query('SELECT audit_purge_sealed(gen_random_uuid())')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK TO SAVEPOINT s');
      await expect(client.query('SELECT count(*) FROM api_keys')).resolves.toBeDefined();
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  describe('tampering by a superuser bypassing the triggers', () => {
    async function tamper(sql: string, params: unknown[]): Promise<void> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SET LOCAL session_replication_role = 'replica'"); // disables ordinary triggers
        await client.query(sql, params);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    }

    // Each case runs on a fresh copy of a small chain so they do not mask each other.
    async function freshChain(n: number): Promise<string> {
      const org = randomUUID();
      await appendEvents(pool, Array.from({ length: n }, (_, i) => event(org, i)));
      await writeCheckpoint(pool, signer, org, (await readHeads(pool, [org])).get(org)!);
      expect((await verifyAuditLog(pool, { org, trustedKeys: pinned })).ok).toBe(true);
      return org;
    }

    it('detects an altered body and names the row', async () => {
      const org = await freshChain(10);
      await tamper("UPDATE audit_events SET body = replace(body, '\"promptTokens\":4', '\"promptTokens\":0') WHERE org_id = $1 AND seq = 5", [org]);
      const report = await verifyAuditLog(pool, { org, trustedKeys: pinned });
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ org, seq: 5, reason: expect.stringMatching(/hash does not match/) });
    });

    it('detects a rewritten chain (hashes recomputed) through the signed checkpoint', async () => {
      const org = await freshChain(6);
      const { rows } = await pool.query<{ seq: string; body: string }>('SELECT seq, body FROM audit_events WHERE org_id = $1 ORDER BY seq', [org]);
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const body = Number(r.seq) === 3 ? r.body.replace('"outcome":"success"', '"outcome":"failure"') : r.body;
        const hash = chainHash(prev, body);
        await tamper("UPDATE audit_events SET body = $3, prev_hash = $4, hash = $5, outcome = CASE WHEN seq = 3 THEN 'failure' ELSE outcome END WHERE org_id = $1 AND seq = $2",
          [org, r.seq, body, prev, hash]);
        prev = hash;
      }
      const report = await verifyAuditLog(pool, { org, trustedKeys: pinned });
      expect(report.problems[0].reason).toMatch(/differs from the signed checkpoint at seq 6/);
    });

    it('detects a changed search column, a deleted row and a truncated tail', async () => {
      const org1 = await freshChain(5);
      await tamper("UPDATE audit_events SET type = 'request.decided' WHERE org_id = $1 AND seq = 2", [org1]);
      expect((await verifyAuditLog(pool, { org: org1, trustedKeys: pinned })).problems[0]).toMatchObject({ seq: 2, reason: expect.stringMatching(/column type/) });

      const org2 = await freshChain(5);
      await tamper('DELETE FROM audit_events WHERE org_id = $1 AND seq = 3', [org2]);
      expect((await verifyAuditLog(pool, { org: org2, trustedKeys: pinned })).problems[0]).toMatchObject({ seq: 3, reason: expect.stringMatching(/missing/) });

      const org3 = await freshChain(5);
      await tamper('DELETE FROM audit_events WHERE org_id = $1 AND seq >= 4', [org3]);
      expect((await verifyAuditLog(pool, { org: org3, trustedKeys: pinned })).problems[0].reason).toMatch(/rows removed from the end/);
    });

    it('rejects checkpoints signed by a key that is not pinned', async () => {
      const org = await freshChain(3);
      const stranger = [loadPublicKey(generateSigningKeyPem().publicKeyPem)];
      const report = await verifyAuditLog(pool, { org, trustedKeys: stranger });
      expect(report.problems[0].reason).toMatch(/unknown key/);
      expect((await verifyAuditLog(pool, { org })).keySource).toBe('database');
    });
  });

  it('verifies a seq range and a time range', async () => {
    const report = await verifyAuditLog(pool, { org: ORG_A, fromSeq: 100, toSeq: 200, trustedKeys: pinned });
    expect(report.chains[0]).toMatchObject({ ok: true, firstSeq: 100, lastSeq: 200, rows: 101 });
    const timed = await verifyAuditLog(pool, { org: ORG_A, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 1000), trustedKeys: pinned });
    expect(timed.ok).toBe(true);
    expect(timed.chains[0].rows).toBeGreaterThan(600);
  });
});
