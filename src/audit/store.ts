import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { canonicalJson } from './canonical-json';
import { chainHash, GENESIS_HEAD, type ChainHead } from './chain';
import type { EncryptedContent } from './content-crypto';
import type { AuditEvent } from './schema';

/**
 * Appending to the chains. Each call is one transaction: take a transaction-scoped advisory
 * lock per organisation (in a fixed order, so two writers never deadlock), read each chain's
 * head, drop ids that are already stored (a redelivered job, a replayed spool), hash the rest
 * in order and insert them with one statement. Several writers can run at once: the lock
 * serialises the extension of any one chain, and a committed batch is visible to the next
 * holder of the lock.
 */

/** An event ready for the chain: validated, with its canonical body computed once. */
export interface PreparedEvent {
  event: AuditEvent;
  body: string;
  content?: EncryptedContent;
}

export const MAX_BODY_CHARS = 64 * 1024;

export class AuditBodyError extends Error {}

export function prepareEvent(event: AuditEvent, content?: EncryptedContent): PreparedEvent {
  const body = canonicalJson(event);
  if (body.length > MAX_BODY_CHARS) throw new AuditBodyError(`audit event ${event.id} is larger than ${MAX_BODY_CHARS} characters`);
  return content ? { event, body, content } : { event, body };
}

export interface AppendResult {
  inserted: number;
  duplicates: number;
  /** New head of every chain the batch touched. */
  heads: Map<string, ChainHead>;
}

// Advisory lock namespace: every audit chain lock is the first 8 bytes of SHA-256("gatehouse.audit:" ‖ org).
function chainLockKey(org: string): bigint {
  return createHash('sha256').update(`gatehouse.audit:${org}`).digest().readBigInt64BE(0);
}

interface HeadRow { org: string; seq: string | null; hash: Buffer | null }

const HEADS_SQL = `
  SELECT o.org::text AS org,
         COALESCE(e.seq, s.last_seq) AS seq,
         CASE WHEN e.seq IS NOT NULL THEN e.hash ELSE s.last_hash END AS hash
    FROM unnest($1::uuid[]) AS o(org)
    LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE org_id = o.org ORDER BY seq DESC LIMIT 1) e ON true
    LEFT JOIN LATERAL (SELECT last_seq, last_hash FROM audit_seals WHERE org_id = o.org ORDER BY last_seq DESC LIMIT 1) s ON true`;

/** Current head of each chain (inside the caller's transaction, after the locks). */
export async function readHeads(client: PoolClient | Pool, orgs: readonly string[]): Promise<Map<string, ChainHead>> {
  const { rows } = await client.query<HeadRow>(HEADS_SQL, [orgs]);
  const heads = new Map<string, ChainHead>();
  for (const r of rows) heads.set(r.org, r.seq === null || r.hash === null ? GENESIS_HEAD : { seq: Number(r.seq), hash: r.hash });
  return heads;
}

const INSERT_SQL = `
  INSERT INTO audit_events (org_id, seq, id, occurred_at, type, workspace_id, actor_type, actor_id, outcome, body, prev_hash, hash)
  SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::timestamptz[], $5::text[], $6::uuid[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::bytea[], $12::bytea[])`;

const INSERT_CONTENT_SQL = `
  INSERT INTO audit_contents (event_id, org_id, key_id, blob)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[]) ON CONFLICT (event_id) DO NOTHING`;

/** Appends `items` (in this order) to their organisations' chains in one transaction. */
export async function appendEvents(pool: Pool, items: readonly PreparedEvent[]): Promise<AppendResult> {
  const result: AppendResult = { inserted: 0, duplicates: 0, heads: new Map() };
  if (items.length === 0) return result;
  const orgs = [...new Set(items.map((i) => i.event.org))];
  const locks = orgs.map(chainLockKey).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const client = await pool.connect();
  // A server that goes away between two statements emits 'error' on the checked-out client;
  // the next query fails with it anyway, so only keep it from crashing the process.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    // One round trip for all locks; ordered keys keep concurrent writers deadlock-free.
    await client.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS t(k)', [locks.map(String)]);
    const ids = items.map((i) => i.event.id);
    const [existing, heads] = await Promise.all([
      client.query<{ id: string }>('SELECT id::text FROM audit_events WHERE id = ANY($1::uuid[])', [ids]),
      readHeads(client, orgs),
    ]);
    const seen = new Set(existing.rows.map((r) => r.id));
    const cols: unknown[][] = Array.from({ length: 12 }, () => []);
    const content: unknown[][] = [[], [], [], []];
    for (const item of items) {
      const e = item.event;
      if (seen.has(e.id)) {
        result.duplicates += 1;
        continue;
      }
      seen.add(e.id);
      const head = heads.get(e.org) ?? GENESIS_HEAD;
      const hash = chainHash(head.hash, item.body);
      const seq = head.seq + 1;
      heads.set(e.org, { seq, hash });
      result.heads.set(e.org, { seq, hash });
      cols[0].push(e.org); cols[1].push(seq); cols[2].push(e.id); cols[3].push(e.time); cols[4].push(e.type);
      cols[5].push(e.workspace); cols[6].push(e.actor.type); cols[7].push(e.actor.id); cols[8].push(e.outcome ?? null);
      cols[9].push(item.body); cols[10].push(head.hash); cols[11].push(hash);
      if (item.content) {
        content[0].push(e.id); content[1].push(e.org); content[2].push(item.content.keyId);
        content[3].push(Buffer.from(item.content.blob, 'base64'));
      }
      result.inserted += 1;
    }
    if (result.inserted > 0) await client.query(INSERT_SQL, cols);
    if (content[0].length > 0) await client.query(INSERT_CONTENT_SQL, content);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}
