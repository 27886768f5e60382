import type { Pool } from 'pg';
import { canonicalJson } from './canonical-json';
import { chainHash, GENESIS_HASH } from './chain';
import { listCheckpoints, listSigningKeys, type CheckpointRecord } from './checkpoints';
import { listSeals, sealPayload, type SealRecord } from './seals';
import { checkpointPayload, loadPublicKey, verifySignature, type AuditPublicKey } from './signing';

/**
 * `gatehouse audit verify`: recomputes each organisation's chain from the database and checks
 * every signature. For each chain it reports the first bad row — a changed body or column, a
 * broken link, a gap, a truncated tail (a signed checkpoint beyond the last row), a checkpoint
 * that no longer matches its row — and continues with the next chain. Memory stays constant:
 * rows are read in keyset pages.
 */

export interface VerifyOptions {
  org?: string;
  /** Verify only rows with seq in [fromSeq, toSeq] (links into the range are checked too). */
  fromSeq?: number;
  toSeq?: number;
  /** Or by time: rows whose occurred_at lies in [from, to). */
  from?: Date;
  to?: Date;
  /** Pinned public keys. Without them, keys recorded in the database are used (weaker: the report says so). */
  trustedKeys?: readonly AuditPublicKey[];
  pageSize?: number;
  onProgress?: (org: string, seq: number) => void;
}

export interface ChainProblem {
  org: string;
  seq: number | null;
  id: string | null;
  reason: string;
}

export interface ChainSummary {
  org: string;
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastHash: string | null;
  checkpointsVerified: number;
  sealsVerified: number;
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  /** 'pinned': signatures checked against keys given by the verifier; 'database': against audit_signing_keys. */
  keySource: 'pinned' | 'database';
  chains: ChainSummary[];
  problems: ChainProblem[];
}

interface Row {
  seq: string; id: string; occurred_at: Date; type: string; workspace_id: string | null; actor_type: string;
  actor_id: string; outcome: string | null; body: string; prev_hash: Buffer; hash: Buffer;
}

const ORGS_SQL = `
  WITH RECURSIVE o AS (
    (SELECT org_id FROM audit_events ORDER BY org_id LIMIT 1)
    UNION ALL
    SELECT (SELECT e.org_id FROM audit_events e WHERE e.org_id > o.org_id ORDER BY e.org_id LIMIT 1) FROM o WHERE o.org_id IS NOT NULL
  )
  SELECT org_id::text AS org FROM o WHERE org_id IS NOT NULL
  UNION SELECT org_id::text FROM audit_checkpoints
  UNION SELECT org_id::text FROM audit_seals
  ORDER BY 1`;

/** Compares the searchable columns with the hashed body they were copied from. */
function columnMismatch(row: Row, org: string, body: Record<string, unknown>): string | null {
  const actor = (body.actor ?? {}) as Record<string, unknown>;
  if (body.id !== row.id) return 'column id differs from the hashed body';
  if (body.org !== org) return 'column org_id differs from the hashed body';
  if (body.type !== row.type) return 'column type differs from the hashed body';
  if ((body.workspace ?? null) !== row.workspace_id) return 'column workspace_id differs from the hashed body';
  if (actor.type !== row.actor_type || actor.id !== row.actor_id) return 'actor columns differ from the hashed body';
  if ((body.outcome ?? null) !== row.outcome) return 'column outcome differs from the hashed body';
  if (body.time !== row.occurred_at.toISOString()) return 'column occurred_at differs from the hashed body';
  return null;
}

export class SignatureChecker {
  constructor(private readonly keys: Map<string, AuditPublicKey>, readonly source: 'pinned' | 'database') {}

  static async create(pool: Pool, pinned?: readonly AuditPublicKey[]): Promise<SignatureChecker> {
    if (pinned && pinned.length > 0) return new SignatureChecker(new Map(pinned.map((k) => [k.keyId, k])), 'pinned');
    const keys = new Map<string, AuditPublicKey>();
    for (const [id, pem] of await listSigningKeys(pool)) {
      const key = loadPublicKey(pem);
      if (key.keyId === id) keys.set(id, key); // a row whose id does not match its key is ignored
    }
    return new SignatureChecker(keys, 'database');
  }

  /** null when valid, else why not. */
  check(keyId: string, payload: object, signature: string): string | null {
    const key = this.keys.get(keyId);
    if (!key) return `signed by unknown key ${keyId}`;
    return verifySignature(key, payload, signature) ? null : `signature does not verify with key ${keyId}`;
  }
}

async function seqRange(pool: Pool, org: string, opts: VerifyOptions): Promise<[number, number]> {
  let from = opts.fromSeq ?? 1;
  let to = opts.toSeq ?? Number.MAX_SAFE_INTEGER;
  if (opts.from || opts.to) {
    const { rows } = await pool.query<{ lo: string | null; hi: string | null }>(
      `SELECT min(seq) AS lo, max(seq) AS hi FROM audit_events
        WHERE org_id = $1 AND occurred_at >= COALESCE($2::timestamptz, '-infinity') AND occurred_at < COALESCE($3::timestamptz, 'infinity')`,
      [org, opts.from ?? null, opts.to ?? null],
    );
    if (rows[0].lo === null) return [1, 0];
    from = Math.max(from, Number(rows[0].lo));
    to = Math.min(to, Number(rows[0].hi));
  }
  return [from, to];
}

async function verifyChain(pool: Pool, org: string, opts: VerifyOptions, sigs: SignatureChecker): Promise<{ summary: ChainSummary; problem: ChainProblem | null }> {
  const summary: ChainSummary = { org, rows: 0, firstSeq: null, lastSeq: null, lastHash: null, checkpointsVerified: 0, sealsVerified: 0, ok: false };
  const problem = (seq: number | null, id: string | null, reason: string): { summary: ChainSummary; problem: ChainProblem } =>
    ({ summary, problem: { org, seq, id, reason } });
  const partial = opts.fromSeq !== undefined || opts.toSeq !== undefined || opts.from !== undefined || opts.to !== undefined;

  // Seals: each signed, contiguous, and the live rows continue from the last one.
  const seals: SealRecord[] = await listSeals(pool, org);
  let sealedUpTo = 0;
  let sealedHash = GENESIS_HASH;
  for (const seal of seals) {
    const bad = sigs.check(seal.keyId, sealPayload(seal), seal.signature);
    if (bad) return problem(seal.lastSeq, null, `seal ${seal.id}: ${bad}`);
    if (seal.firstSeq !== sealedUpTo + 1 || !Buffer.from(seal.firstPrevHash, 'hex').equals(sealedHash)) {
      return problem(seal.firstSeq, null, `seal ${seal.id} does not continue the chain at seq ${sealedUpTo + 1}`);
    }
    sealedUpTo = seal.lastSeq;
    sealedHash = Buffer.from(seal.lastHash, 'hex');
    summary.sealsVerified += 1;
  }

  const [fromSeq, toSeq] = await seqRange(pool, org, opts);
  const checkpoints: CheckpointRecord[] = await listCheckpoints(pool, org, partial ? fromSeq : 0, toSeq);
  for (const cp of checkpoints) {
    const bad = sigs.check(cp.keyId, checkpointPayload(cp.org, cp.seq, cp.hash, cp.signedAt, cp.keyId), cp.signature);
    if (bad) return problem(cp.seq, null, `checkpoint at seq ${cp.seq}: ${bad}`);
  }
  const byCheckpointSeq = new Map<number, string[]>();
  for (const cp of checkpoints) {
    if (cp.seq <= sealedUpTo) continue; // rows archived; the seal vouches for them
    const list = byCheckpointSeq.get(cp.seq) ?? [];
    list.push(cp.hash);
    byCheckpointSeq.set(cp.seq, list);
  }

  // Where the range starts and what its first row must link to.
  let expectedSeq = Math.max(fromSeq, sealedUpTo + 1);
  let expectedPrev: Buffer;
  if (expectedSeq === sealedUpTo + 1) expectedPrev = sealedHash;
  else {
    const { rows } = await pool.query<{ hash: Buffer }>('SELECT hash FROM audit_events WHERE org_id = $1 AND seq = $2', [org, expectedSeq - 1]);
    if (rows.length === 0) return problem(expectedSeq - 1, null, `row seq ${expectedSeq - 1} (just before the range) is missing`);
    expectedPrev = rows[0].hash;
  }

  const pageSize = opts.pageSize ?? 5_000;
  let after = expectedSeq - 1;
  for (;;) {
    const { rows } = await pool.query<Row>(
      `SELECT seq, id::text, occurred_at, type, workspace_id::text, actor_type, actor_id, outcome, body, prev_hash, hash
         FROM audit_events WHERE org_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [org, after, toSeq, pageSize],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return problem(expectedSeq, null, seq > expectedSeq ? `rows ${expectedSeq}..${seq - 1} are missing (gap before seq ${seq})` : `unexpected seq ${seq}`);
      if (!row.prev_hash.equals(expectedPrev)) return problem(seq, row.id, `prev_hash does not link to seq ${seq - 1}`);
      if (!chainHash(row.prev_hash, row.body).equals(row.hash)) return problem(seq, row.id, 'hash does not match the row body (row altered)');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(row.body) as Record<string, unknown>;
        if (canonicalJson(body) !== row.body) return problem(seq, row.id, 'body is not in canonical form');
      } catch {
        return problem(seq, row.id, 'body is not valid JSON');
      }
      const mismatch = columnMismatch(row, org, body);
      if (mismatch) return problem(seq, row.id, mismatch);
      const signedHashes = byCheckpointSeq.get(seq);
      if (signedHashes) {
        const hex = row.hash.toString('hex');
        if (signedHashes.some((h) => h !== hex)) return problem(seq, row.id, `hash differs from the signed checkpoint at seq ${seq}`);
        summary.checkpointsVerified += signedHashes.length;
        byCheckpointSeq.delete(seq);
      }
      summary.firstSeq ??= seq;
      summary.lastSeq = seq;
      summary.rows += 1;
      expectedPrev = row.hash;
      expectedSeq = seq + 1;
    }
    if (rows.length > 0) opts.onProgress?.(org, expectedSeq - 1);
    if (rows.length < pageSize) break;
    after = expectedSeq - 1;
  }
  summary.lastHash = expectedPrev.toString('hex');
  // Checkpoints beyond the last row: rows at the end were removed.
  const beyond = [...byCheckpointSeq.keys()].filter((s) => s >= expectedSeq).sort((a, b) => a - b);
  if (beyond.length > 0) {
    return problem(expectedSeq, null, `chain ends at seq ${expectedSeq - 1} but a signed checkpoint covers seq ${beyond[beyond.length - 1]} (rows removed from the end)`);
  }
  summary.ok = true;
  return { summary, problem: null };
}

export async function verifyAuditLog(pool: Pool, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const sigs = await SignatureChecker.create(pool, opts.trustedKeys);
  const orgs = opts.org ? [opts.org] : (await pool.query<{ org: string }>(ORGS_SQL)).rows.map((r) => r.org);
  const report: VerifyReport = { ok: true, keySource: sigs.source, chains: [], problems: [] };
  for (const org of orgs) {
    const { summary, problem } = await verifyChain(pool, org, opts, sigs);
    report.chains.push(summary);
    if (problem) {
      report.ok = false;
      report.problems.push(problem);
    }
  }
  return report;
}
