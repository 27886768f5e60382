import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createPool, migrate, type Pool } from '../../../src/db';
import { appendEvents, buildAuditEvent, createSigner, generateSigningKeyPem, loadPublicKey, prepareEvent, verifyAuditLog } from '../../../src/audit';
import { registerSigningKey, writeCheckpoint } from '../../../src/audit/checkpoints';
import { exportAuditLog, verifyExportFile, type ExportFormat } from '../../../src/audit/export';
import { runAuditedExport, sealAndArchive, SYSTEM_ORG } from '../../../src/audit/operations';
import { readHeads } from '../../../src/audit/store';
import { createTestDatabase } from '../../helpers/database';

const keys = generateSigningKeyPem();
const signer = createSigner(keys.privateKeyPem);
const ORG = randomUUID();
const OTHER = randomUUID();
const types = ['request.completed', 'policy.published', 'key.created', 'request.failed', 'sso.login'];

describe('compliance exports and offline verification', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-audit-export-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 4 });
    await migrate(pool);
    await registerSigningKey(pool, signer);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (const org of [ORG, OTHER]) {
      await appendEvents(pool, Array.from({ length: 250 }, (_, i) => prepareEvent(buildAuditEvent({
        type: types[i % types.length], orgId: org, time: t0 + i * 60_000, actor: { type: 'user', id: `u${i % 4}`, label: 'a, "quoted" name' },
        outcome: i % 7 === 0 ? 'denied' : 'success', request: { requestId: `r${i}`, status: 200 }, details: { note: 'line\nbreak, comma' },
      }))));
      await writeCheckpoint(pool, signer, org, (await readHeads(pool, [org])).get(org)!);
    }
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<ExportFormat>(['jsonl', 'csv', 'ocsf'])('%s: exports with a signed manifest that verifies offline', async (format) => {
    const out = path.join(dir, `all.${format}`);
    const progress: number[] = [];
    const { manifest, signature } = await exportAuditLog(pool, { format, out, signer, pageSize: 64, onProgress: (done) => progress.push(done) });
    expect(signature).not.toBeNull();
    expect(manifest.count).toBe(500);
    expect(manifest.chains.map((c) => c.count)).toEqual([250, 250]);
    expect(manifest.checkpoints.length).toBe(2);
    expect(progress[progress.length - 1]).toBe(500);
    const result = await verifyExportFile(out, { publicKeyPem: keys.publicKeyPem });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, records: 500, keySource: 'pinned' });
  });

  it('filters by organisation, time and type prefix; gaps in a filtered export are legitimate', async () => {
    const out = path.join(dir, 'policy.jsonl');
    const { manifest } = await exportAuditLog(pool, {
      format: 'jsonl', out, signer,
      filter: { org: ORG, type: 'policy.*', from: '2026-01-01T01:00:00Z', to: '2026-01-01T03:00:00Z' },
    });
    expect(manifest.count).toBe(24); // minutes 60..179, every 5th event
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(lines.map((l) => l.event.type))).toEqual(new Set(['policy.published']));
    expect((await verifyExportFile(out, { publicKeyPem: keys.publicKeyPem })).ok).toBe(true);
  });

  describe('tampered exports fail verify-export and name the line', () => {
    const original = path.join(dir, 'tamper-source.jsonl');
    beforeAll(async () => {
      await exportAuditLog(pool, { format: 'jsonl', out: original, signer, filter: { org: ORG } });
    });

    function tampered(name: string, edit: (lines: string[]) => string[]): string {
      const file = path.join(dir, name);
      const lines = readFileSync(original, 'utf8').split('\n').slice(0, -1);
      writeFileSync(file, edit(lines).join('\n') + '\n');
      writeFileSync(`${file}.manifest.json`, readFileSync(`${original}.manifest.json`));
      return file;
    }

    it('a removed line', async () => {
      const r = await verifyExportFile(tampered('removed.jsonl', (l) => l.filter((_, i) => i !== 99)), { publicKeyPem: keys.publicKeyPem });
      expect(r.ok).toBe(false);
      expect(r.firstBadLine).toBe(100);
      expect(r.problems.join('\n')).toMatch(/removed or reordered/);
      expect(r.problems.join('\n')).toMatch(/SHA-256/);
    });

    it('an altered line', async () => {
      const r = await verifyExportFile(tampered('altered.jsonl', (l) => l.map((x, i) => (i === 41 ? x.replace('"outcome":"success"', '"outcome":"failure"') : x))), { publicKeyPem: keys.publicKeyPem });
      expect(r.firstBadLine).toBe(42);
      expect(r.problems[1]).toMatch(/line 42: hash does not match/);
    });

    it('two lines swapped', async () => {
      const r = await verifyExportFile(tampered('swapped.jsonl', (l) => {
        const c = [...l];
        [c[10], c[11]] = [c[11], c[10]];
        return c;
      }), { publicKeyPem: keys.publicKeyPem });
      expect(r.firstBadLine).toBe(11);
    });

    it('a line removed and the rest renumbered, manifest re-signed by someone else', async () => {
      const file = tampered('forged.jsonl', (l) => l.filter((_, i) => i !== 5).map((x, i) => x.replace(/^\{"n":\d+/, `{"n":${i + 1}`)));
      const other = createSigner(generateSigningKeyPem().privateKeyPem);
      const signed = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8'));
      signed.manifest.keyId = other.keyId;
      signed.manifest.publicKey = other.publicKeyPem;
      signed.signature = other.sign(signed.manifest);
      writeFileSync(`${file}.manifest.json`, JSON.stringify(signed));
      const r = await verifyExportFile(file, { publicKeyPem: keys.publicKeyPem });
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(/signed by key/);
      expect(r.problems.join('\n')).toMatch(/line 6: seq 7 does not link to seq 5|missing from an unfiltered export/);
      // With only the embedded key, integrity checks still catch the chain break.
      expect((await verifyExportFile(file)).keySource).toBe('embedded');
      expect((await verifyExportFile(file)).ok).toBe(false);
    });
  });

  it('records each export as an audit event', async () => {
    const out = path.join(dir, 'audited.csv');
    await runAuditedExport(pool, { format: 'csv', out, filter: { org: ORG }, signer, actor: { type: 'user', id: 'auditor@example.com' } });
    const { rows } = await pool.query<{ body: string }>("SELECT body FROM audit_events WHERE org_id = $1 AND type = 'export.completed'", [ORG]);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].body)).toMatchObject({ actor: { id: 'auditor@example.com' }, details: { format: 'csv', count: 250, signed: true } });
    await expect(runAuditedExport(pool, { format: 'csv', out: path.join(dir, 'no/such/dir/x.csv'), filter: {}, signer, actor: { type: 'system', id: 'cli' } })).rejects.toThrow();
    const failed = await pool.query("SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND type = 'export.failed'", [SYSTEM_ORG]);
    expect(failed.rows[0].n).toBe(1);
  });

  it('seals and archives: exports and signs first, removes only sealed rows, the chain still verifies', async () => {
    const before = new Date('2026-01-01T02:00:00Z'); // events 0..119 of OTHER
    const result = await sealAndArchive(pool, { org: OTHER, before, archiveDir: path.join(dir, 'archive'), signer, actor: { type: 'user', id: 'ops' } });
    expect(result.removed).toBe(120);
    expect(result.seal).toMatchObject({ firstSeq: 1, lastSeq: 120, eventCount: 120 });
    expect((await verifyExportFile(result.archive!, { publicKeyPem: keys.publicKeyPem })).ok).toBe(true);
    const live = await pool.query('SELECT min(seq)::int AS lo, max(seq)::int AS hi FROM audit_events WHERE org_id = $1', [OTHER]);
    expect(live.rows[0]).toEqual({ lo: 121, hi: 251 }); // 251: the audit.sealed event itself
    const report = await verifyAuditLog(pool, { org: OTHER, trustedKeys: [loadPublicKey(keys.publicKeyPem)] });
    expect(report.problems).toEqual([]);
    expect(report.chains[0]).toMatchObject({ sealsVerified: 1, firstSeq: 121 });
    // New events continue the chain after a seal; a second seal continues from the first.
    await appendEvents(pool, [prepareEvent(buildAuditEvent({ type: 'key.created', orgId: OTHER, actor: { type: 'system', id: 't' } }))]);
    const second = await sealAndArchive(pool, { org: OTHER, before: new Date('2026-01-01T03:00:00Z'), archiveDir: path.join(dir, 'archive'), signer, actor: { type: 'user', id: 'ops' } });
    expect(second.seal).toMatchObject({ firstSeq: 121, lastSeq: 180 });
    expect((await verifyAuditLog(pool, { org: OTHER, trustedKeys: [loadPublicKey(keys.publicKeyPem)] })).ok).toBe(true);
    // Deleting sealed-range rows outside the purge function is still refused.
    await expect(pool.query('DELETE FROM audit_events WHERE org_id = $1 AND seq = 200', [OTHER])).rejects.toThrow(/append-only/);
  });
});
