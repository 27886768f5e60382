import type { Pool } from 'pg';
import type { ChainHead } from './chain';
import { checkpointPayload, type AuditSigner } from './signing';

/** Signed chain heads: proof of what the chain looked like at a point in time. */

export interface CheckpointRecord {
  org: string;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

/** Records the signer's public key (idempotent), so verifiers can find it by key id. */
export async function registerSigningKey(pool: Pool, signer: AuditSigner): Promise<void> {
  await pool.query(
    'INSERT INTO audit_signing_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING',
    [signer.keyId, signer.publicKeyPem],
  );
}

export async function writeCheckpoint(pool: Pool, signer: AuditSigner, org: string, head: ChainHead): Promise<CheckpointRecord> {
  const signedAt = new Date().toISOString();
  const hash = head.hash.toString('hex');
  const signature = signer.sign(checkpointPayload(org, head.seq, hash, signedAt, signer.keyId));
  await pool.query(
    'INSERT INTO audit_checkpoints (org_id, seq, hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)',
    [org, head.seq, head.hash, signedAt, signer.keyId, signature],
  );
  return { org, seq: head.seq, hash, signedAt, keyId: signer.keyId, signature };
}

interface CheckpointRow { org_id: string; seq: string; hash: Buffer; signed_at: string; key_id: string; signature: string }

export async function listCheckpoints(pool: Pool, org: string, fromSeq = 0, toSeq: number = Number.MAX_SAFE_INTEGER): Promise<CheckpointRecord[]> {
  const { rows } = await pool.query<CheckpointRow>(
    `SELECT org_id::text, seq, hash, signed_at, key_id, signature FROM audit_checkpoints
      WHERE org_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq, id`,
    [org, fromSeq, toSeq],
  );
  return rows.map((r) => ({ org: r.org_id, seq: Number(r.seq), hash: r.hash.toString('hex'), signedAt: r.signed_at, keyId: r.key_id, signature: r.signature }));
}

/** Public keys recorded in the database, by key id. */
export async function listSigningKeys(pool: Pool): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ key_id: string; public_key: string }>('SELECT key_id, public_key FROM audit_signing_keys');
  return new Map(rows.map((r) => [r.key_id, r.public_key]));
}
