import type { Pool } from 'pg';
import type { AuditEvent, AuditOutcome } from './schema';
import { isUuid } from './uuidv7';

/** Admin search over one organisation's log: filters on the indexed columns, newest first, keyset cursor. */

export interface AuditSearchQuery {
  org: string;
  from?: Date;
  to?: Date;
  /** Exact type or prefix "policy.*". */
  type?: string;
  actorId?: string;
  workspaceId?: string;
  outcome?: AuditOutcome;
  /** 1..500, default 50. */
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface AuditSearchHit {
  seq: number;
  hash: string;
  event: AuditEvent;
}

export interface AuditSearchPage {
  events: AuditSearchHit[];
  nextCursor: string | null;
}

export class AuditSearchError extends Error {}

const TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;
const OUTCOMES = new Set(['success', 'denied', 'failure']);

function decodeCursor(cursor: string): number {
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^s:/, ''));
  if (!Number.isSafeInteger(seq) || seq < 1) throw new AuditSearchError('invalid cursor');
  return seq;
}

export async function searchAuditEvents(pool: Pool, q: AuditSearchQuery): Promise<AuditSearchPage> {
  if (!isUuid(q.org)) throw new AuditSearchError('org must be a UUID');
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AuditSearchError('limit must be between 1 and 500');
  const params: unknown[] = [q.org];
  const where: string[] = ['org_id = $1'];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.from) add('occurred_at >= ?', q.from);
  if (q.to) add('occurred_at < ?', q.to);
  if (q.type !== undefined) {
    if (!TYPE_RE.test(q.type)) throw new AuditSearchError('type must be an event type or a prefix like "policy.*"');
    if (q.type.endsWith('.*')) add("type LIKE ? || '%'", q.type.slice(0, -1));
    else add('type = ?', q.type);
  }
  if (q.actorId !== undefined) add('actor_id = ?', q.actorId);
  if (q.workspaceId !== undefined) {
    if (!isUuid(q.workspaceId)) throw new AuditSearchError('workspace must be a UUID');
    add('workspace_id = ?', q.workspaceId);
  }
  if (q.outcome !== undefined) {
    if (!OUTCOMES.has(q.outcome)) throw new AuditSearchError('outcome must be success, denied or failure');
    add('outcome = ?', q.outcome);
  }
  if (q.cursor) add('seq < ?', decodeCursor(q.cursor));
  params.push(limit + 1);
  const { rows } = await pool.query<{ seq: string; hash: Buffer; body: string }>(
    `SELECT seq, hash, body FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`, params);
  const page = rows.slice(0, limit);
  return {
    events: page.map((r) => ({ seq: Number(r.seq), hash: r.hash.toString('hex'), event: JSON.parse(r.body) as AuditEvent })),
    nextCursor: rows.length > limit ? Buffer.from(`s:${page[page.length - 1].seq}`).toString('base64url') : null,
  };
}
