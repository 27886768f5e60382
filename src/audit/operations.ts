import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { exportAuditLog, verifyExportFile, type ExportFilter, type ExportFormat, type SignedManifest } from './export';
import { buildAuditEvent, type AuditActor, type AuditEventInput } from './schema';
import { insertSeal, sealPayload, type SealRecord } from './seals';
import { loadPublicKey, type AuditSigner } from './signing';
import { appendEvents, prepareEvent } from './store';
import { verifyAuditLog } from './verify';

/**
 * Operator actions on the log that are themselves audited: exports and seal-and-archive.
 * They append their own event directly to the chain (the CLI has the database at hand; the
 * advisory lock keeps this correct next to running writers).
 */

/** The chain for events that belong to no organisation (e.g. an export of every organisation). */
export const SYSTEM_ORG = '00000000-0000-0000-0000-000000000000';

/** Appends one event straight to its chain (no queue). For operator tools, not the request path. */
export async function recordAuditEvent(pool: Pool, input: AuditEventInput): Promise<void> {
  await appendEvents(pool, [prepareEvent(buildAuditEvent(input))]);
}

export interface AuditedExportOptions {
  format: ExportFormat;
  out: string;
  filter: ExportFilter;
  actor: AuditActor;
  signer: AuditSigner | null;
  onProgress?: (done: number, total: number) => void;
  exportId?: string;
}

/** Runs an export and records `export.completed` (or `export.failed`) in the audit log. */
export async function runAuditedExport(pool: Pool, opts: AuditedExportOptions): Promise<SignedManifest> {
  const exportId = opts.exportId ?? randomUUID();
  const base = { orgId: opts.filter.org ?? SYSTEM_ORG, actor: opts.actor, target: { type: 'audit_export', id: exportId } };
  const filterDetails = Object.fromEntries(Object.entries(opts.filter).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  try {
    const signed = await exportAuditLog(pool, { ...opts, exportId });
    const m = signed.manifest;
    await recordAuditEvent(pool, {
      ...base, type: 'export.completed', outcome: 'success',
      details: { format: m.format, file: m.file, count: m.count, sha256: m.sha256, bytes: m.bytes, filter: filterDetails, signed: signed.signature !== null },
    });
    return signed;
  } catch (err) {
    await recordAuditEvent(pool, {
      ...base, type: 'export.failed', outcome: 'failure',
      details: { format: opts.format, filter: filterDetails, error: (err as Error).message.slice(0, 500) },
    }).catch(() => undefined);
    throw err;
  }
}

export interface SealOptions {
  org: string;
  /** Seal every event that occurred before this time (and everything before it in the chain). */
  before: Date;
  archiveDir: string;
  signer: AuditSigner;
  actor: AuditActor;
}

export interface SealResult {
  seal: SealRecord | null;
  archive: string | null;
  removed: number;
}

export class SealError extends Error {}

/**
 * Seal and archive: verify the range in the database, export it (JSONL + signed manifest),
 * verify the file offline against the signer's key, record `audit.sealed`, then — in one
 * transaction — store the signed seal and remove exactly the sealed rows through
 * audit_purge_sealed() (needs the table owner's rights). The chain continues from the seal.
 */
export async function sealAndArchive(pool: Pool, opts: SealOptions): Promise<SealResult> {
  const { rows } = await pool.query<{ first: string | null; last: string | null }>(
    `SELECT (SELECT min(seq) FROM audit_events WHERE org_id = $1) AS first,
            (SELECT max(seq) FROM audit_events WHERE org_id = $1 AND occurred_at < $2) AS last`,
    [opts.org, opts.before],
  );
  if (rows[0].last === null || rows[0].first === null) return { seal: null, archive: null, removed: 0 };
  const firstSeq = Number(rows[0].first);
  const lastSeq = Number(rows[0].last);

  const check = await verifyAuditLog(pool, { org: opts.org, toSeq: lastSeq, trustedKeys: [loadPublicKey(opts.signer.publicKeyPem)] });
  if (!check.ok) throw new SealError(`refusing to archive a chain that does not verify: ${check.problems.map((p) => `seq ${p.seq}: ${p.reason}`).join('; ')}`);

  await mkdir(opts.archiveDir, { recursive: true });
  const sealId = randomUUID();
  const archive = path.join(opts.archiveDir, `audit-${opts.org}-${firstSeq}-${lastSeq}.jsonl`);
  const signed = await exportAuditLog(pool, { format: 'jsonl', out: archive, filter: { org: opts.org, fromSeq: firstSeq, toSeq: lastSeq }, signer: opts.signer, exportId: sealId });
  const offline = await verifyExportFile(archive, { publicKeyPem: opts.signer.publicKeyPem });
  if (!offline.ok) throw new SealError(`archive failed its own verification: ${offline.problems.join('; ')}`);
  const chain = signed.manifest.chains[0];
  if (!chain || chain.first.seq !== firstSeq || chain.last.seq !== lastSeq || chain.count !== lastSeq - firstSeq + 1) {
    throw new SealError('archive does not hold the whole range');
  }

  const unsigned: Omit<SealRecord, 'signature'> = {
    id: sealId, org: opts.org, firstSeq, lastSeq, firstPrevHash: chain.first.prevHash, lastHash: chain.last.hash,
    eventCount: chain.count, archiveName: path.basename(archive), archiveSha256: signed.manifest.sha256,
    sealedAt: new Date().toISOString(), keyId: opts.signer.keyId,
  };
  const seal: SealRecord = { ...unsigned, signature: opts.signer.sign(sealPayload(unsigned)) };

  // Recorded before anything leaves the live table.
  await recordAuditEvent(pool, {
    type: 'audit.sealed', orgId: opts.org, actor: opts.actor, outcome: 'success', target: { type: 'audit_seal', id: sealId },
    details: { firstSeq, lastSeq, events: chain.count, archive: seal.archiveName, sha256: seal.archiveSha256, before: opts.before.toISOString() },
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await insertSeal(client, seal);
    const purged = await client.query<{ n: string }>('SELECT audit_purge_sealed($1) AS n', [sealId]);
    await client.query('COMMIT');
    return { seal, archive, removed: Number(purged.rows[0].n) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new SealError(`archive ${archive} was written but the rows could not be removed: ${(err as Error).message}`);
  } finally {
    client.release();
  }
}
