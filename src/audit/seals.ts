import type { Pool, PoolClient } from 'pg';

/** Seal records: signed proof that a range of a chain was archived before leaving the live table. */

export interface SealRecord {
  id: string;
  org: string;
  firstSeq: number;
  lastSeq: number;
  firstPrevHash: string;
  lastHash: string;
  eventCount: number;
  archiveName: string;
  archiveSha256: string;
  sealedAt: string;
  keyId: string;
  signature: string;
}

export function sealPayload(s: Omit<SealRecord, 'signature'>): object {
  return {
    kind: 'gatehouse.audit.seal', v: 1, id: s.id, org: s.org, firstSeq: s.firstSeq, lastSeq: s.lastSeq,
    firstPrevHash: s.firstPrevHash, lastHash: s.lastHash, eventCount: s.eventCount, archiveName: s.archiveName,
    archiveSha256: s.archiveSha256, sealedAt: s.sealedAt, keyId: s.keyId,
  };
}

interface SealRow {
  id: string; org_id: string; first_seq: string; last_seq: string; first_prev_hash: Buffer; last_hash: Buffer;
  event_count: string; archive_name: string; archive_sha256: string; sealed_at: string; key_id: string; signature: string;
}

export async function listSeals(pool: Pool | PoolClient, org: string): Promise<SealRecord[]> {
  const { rows } = await pool.query<SealRow>(
    `SELECT id::text, org_id::text, first_seq, last_seq, first_prev_hash, last_hash, event_count, archive_name,
            archive_sha256, sealed_at, key_id, signature
       FROM audit_seals WHERE org_id = $1 ORDER BY first_seq`,
    [org],
  );
  return rows.map((r) => ({
    id: r.id, org: r.org_id, firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq),
    firstPrevHash: r.first_prev_hash.toString('hex'), lastHash: r.last_hash.toString('hex'), eventCount: Number(r.event_count),
    archiveName: r.archive_name, archiveSha256: r.archive_sha256, sealedAt: r.sealed_at, keyId: r.key_id, signature: r.signature,
  }));
}

export async function insertSeal(client: Pool | PoolClient, s: SealRecord): Promise<void> {
  await client.query(
    `INSERT INTO audit_seals (id, org_id, first_seq, last_seq, first_prev_hash, last_hash, event_count, archive_name,
                              archive_sha256, sealed_at, key_id, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [s.id, s.org, s.firstSeq, s.lastSeq, Buffer.from(s.firstPrevHash, 'hex'), Buffer.from(s.lastHash, 'hex'), s.eventCount,
      s.archiveName, s.archiveSha256, s.sealedAt, s.keyId, s.signature],
  );
}
