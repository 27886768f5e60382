/**
 * Drafts, published versions and shadows in PostgreSQL. Every query is scoped by organisation id
 * and scope (workspace id or NULL for the organisation's defaults). Publishing is one transaction
 * under the same per-scope advisory lock as insertPolicyData, so a version number is never taken twice
 * and a draft is published only onto the version it was reviewed against.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction, policyDataVersion, type PolicyDataVersion } from '../../db';
import type { PolicyModule } from '../engine';
import type { DraftRecord, DraftStatus, PolicyContent, PolicyPerson, Validation } from './types';

const SCOPE = 'org_id = $1 AND workspace_id IS NOT DISTINCT FROM $2::uuid';
const DRAFT_COLUMNS = `id, org_id, workspace_id, status, base_version, data, modules, wasm, note, author_user_id, author_label, created_at,
  submitted_at, reviewed_by_user_id, reviewed_by_label, reviewed_at, review_comment, published_version, published_at, validation`;

interface DraftRow {
  id: string; org_id: string; workspace_id: string | null; status: DraftStatus; base_version: number; data: Record<string, unknown>;
  modules: PolicyModule[]; wasm: Buffer | null; note: string | null; author_user_id: string | null; author_label: string; created_at: Date;
  submitted_at: Date | null; reviewed_by_user_id: string | null; reviewed_by_label: string | null; reviewed_at: Date | null;
  review_comment: string | null; published_version: number | null; published_at: Date | null; validation: Validation | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function draftOf(r: DraftRow): DraftRecord {
  return {
    id: Number(r.id), orgId: r.org_id, workspaceId: r.workspace_id, status: r.status, baseVersion: r.base_version,
    data: r.data, modules: r.modules ?? [], wasm: r.wasm, note: r.note,
    author: { userId: r.author_user_id, label: r.author_label }, createdAt: r.created_at.toISOString(), submittedAt: iso(r.submitted_at),
    reviewedBy: r.reviewed_by_label !== null ? { userId: r.reviewed_by_user_id, label: r.reviewed_by_label } : null,
    reviewedAt: iso(r.reviewed_at), reviewComment: r.review_comment, publishedVersion: r.published_version, publishedAt: iso(r.published_at),
    validation: r.validation,
  };
}

/** A draft of the scope (another scope's or organisation's id is "not found"). */
export async function loadDraft(pool: Pool | PoolClient, orgId: string, workspaceId: string | null, id: number): Promise<DraftRecord | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const { rows } = await pool.query<DraftRow>(`SELECT ${DRAFT_COLUMNS} FROM policy_drafts WHERE ${SCOPE} AND id = $3`, [orgId, workspaceId, id]);
  return rows.length === 0 ? null : draftOf(rows[0]);
}

/** Drafts of a scope, newest first; `statuses` filters. */
export async function listDrafts(pool: Pool, orgId: string, workspaceId: string | null, statuses?: readonly DraftStatus[], limit = 200): Promise<DraftRecord[]> {
  const { rows } = await pool.query<DraftRow>(
    `SELECT ${DRAFT_COLUMNS} FROM policy_drafts WHERE ${SCOPE} AND ($3::text[] IS NULL OR status = ANY($3)) ORDER BY id DESC LIMIT $4`,
    [orgId, workspaceId, statuses ? [...statuses] : null, limit]);
  return rows.map(draftOf);
}

export interface NewDraft extends PolicyContent {
  orgId: string;
  workspaceId: string | null;
  baseVersion: number;
  note: string | null;
  author: PolicyPerson;
  validation: Validation;
}

export async function insertDraft(pool: Pool, d: NewDraft): Promise<DraftRecord> {
  const { rows } = await pool.query<DraftRow>(
    `INSERT INTO policy_drafts (org_id, workspace_id, base_version, data, modules, wasm, note, author_user_id, author_label, validation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${DRAFT_COLUMNS}`,
    [d.orgId, d.workspaceId, d.baseVersion, JSON.stringify(d.data), JSON.stringify(d.modules), d.wasm, d.note, d.author.userId, d.author.label, JSON.stringify(d.validation)]);
  return draftOf(rows[0]);
}

/** Which statuses a transition may start from (the database trigger enforces the same graph). */
export const TRANSITIONS = {
  submit: { from: ['draft'], to: 'submitted' },
  withdraw: { from: ['draft', 'submitted'], to: 'withdrawn' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'rejected' },
} as const satisfies Record<string, { from: readonly DraftStatus[]; to: DraftStatus }>;
export type Transition = keyof typeof TRANSITIONS;

/**
 * Moves a draft along the lifecycle when its status is still one the transition starts from
 * (compare-and-set: two reviewers racing cannot both succeed). Null when the status had moved on.
 */
export async function transitionDraft(
  pool: Pool, draft: DraftRecord, transition: Transition, reviewer?: { person: PolicyPerson; comment: string | null },
): Promise<DraftRecord | null> {
  const t = TRANSITIONS[transition];
  const review = transition === 'approve' || transition === 'reject';
  const { rows } = await pool.query<DraftRow>(
    `UPDATE policy_drafts SET status = $4,
        submitted_at = CASE WHEN $4 = 'submitted' THEN now() ELSE submitted_at END,
        reviewed_by_user_id = CASE WHEN $5 THEN $6::uuid ELSE reviewed_by_user_id END,
        reviewed_by_label = CASE WHEN $5 THEN $7 ELSE reviewed_by_label END,
        reviewed_at = CASE WHEN $5 THEN now() ELSE reviewed_at END,
        review_comment = CASE WHEN $5 THEN $8 ELSE review_comment END
      WHERE ${SCOPE} AND id = $3 AND status = ANY($9) RETURNING ${DRAFT_COLUMNS}`,
    [draft.orgId, draft.workspaceId, draft.id, t.to, review, reviewer?.person.userId ?? null, reviewer?.person.label ?? null, reviewer?.comment ?? null, [...t.from]]);
  return rows.length === 0 ? null : draftOf(rows[0]);
}

/** Why a publish did not happen. */
export type PublishRefusal = { reason: 'not_approved'; status: DraftStatus } | { reason: 'stale_draft'; inForce: number; base: number };

export interface PublishOptions {
  orgId: string;
  workspaceId: string | null;
  content: PolicyContent;
  publishedBy: string;
  note: string | null;
  /** The draft being published (must be approved and based on the version in force). */
  draftId?: number;
  /** For a rollback: the version copied (published on top of whatever is in force). */
  rollbackOf?: number;
}

/**
 * Appends a published version atomically: the per-scope lock serialises publishers, the draft's status
 * and base version are checked under it, the version row and the draft's "published" mark commit together.
 */
export async function publishVersion(pool: Pool, o: PublishOptions): Promise<PolicyDataVersion | PublishRefusal> {
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('policy_data:' || $1 || ':' || COALESCE($2, '')))`, [o.orgId, o.workspaceId]);
    const { rows: cur } = await client.query<{ v: number }>(`SELECT COALESCE(MAX(version), 0) AS v FROM policy_data_versions WHERE ${SCOPE}`, [o.orgId, o.workspaceId]);
    const inForce = Number(cur[0].v);
    if (o.draftId !== undefined) {
      const { rows } = await client.query<{ status: DraftStatus; base_version: number }>(
        `SELECT status, base_version FROM policy_drafts WHERE ${SCOPE} AND id = $3 FOR UPDATE`, [o.orgId, o.workspaceId, o.draftId]);
      if (rows.length === 0 || rows[0].status !== 'approved') return { reason: 'not_approved', status: rows[0]?.status ?? 'draft' };
      if (rows[0].base_version !== inForce) return { reason: 'stale_draft', inForce, base: rows[0].base_version };
    }
    const version = inForce + 1;
    await client.query(
      `INSERT INTO policy_data_versions (org_id, workspace_id, version, data, modules, wasm, created_by, draft_id, rollback_of, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [o.orgId, o.workspaceId, version, JSON.stringify(o.content.data), JSON.stringify(o.content.modules), o.content.wasm, o.publishedBy,
        o.draftId ?? null, o.rollbackOf ?? null, o.note]);
    if (o.draftId !== undefined) {
      await client.query(`UPDATE policy_drafts SET status = 'published', published_version = $4, published_at = now() WHERE ${SCOPE} AND id = $3`,
        [o.orgId, o.workspaceId, o.draftId, version]);
    }
    const row = await policyDataVersion(client, o.orgId, o.workspaceId, version);
    return row!;
  });
}

export interface ShadowRecord {
  draftId: number;
  startedBy: string;
  startedAt: string;
}

export async function loadShadow(pool: Pool | PoolClient, orgId: string, workspaceId: string): Promise<ShadowRecord | null> {
  const { rows } = await pool.query<{ draft_id: string; started_by: string; started_at: Date }>(
    'SELECT draft_id, started_by, started_at FROM policy_shadows WHERE org_id = $1 AND workspace_id = $2', [orgId, workspaceId]);
  return rows.length === 0 ? null : { draftId: Number(rows[0].draft_id), startedBy: rows[0].started_by, startedAt: rows[0].started_at.toISOString() };
}

/** Puts a draft in shadow for its workspace (replacing any other); returns the previous shadow draft, if any. */
export async function startShadow(pool: Pool, orgId: string, workspaceId: string, draftId: number, startedBy: string): Promise<{ shadow: ShadowRecord; replaced: number | null }> {
  return inTransaction(pool, async (client) => {
    const before = await loadShadow(client, orgId, workspaceId);
    await client.query(
      `INSERT INTO policy_shadows (workspace_id, org_id, draft_id, started_by) VALUES ($2, $1, $3, $4)
       ON CONFLICT (workspace_id) DO UPDATE SET draft_id = EXCLUDED.draft_id, started_by = EXCLUDED.started_by, started_at = now()`,
      [orgId, workspaceId, draftId, startedBy]);
    return { shadow: (await loadShadow(client, orgId, workspaceId))!, replaced: before && before.draftId !== draftId ? before.draftId : null };
  });
}

/** Stops the workspace's shadow; the draft id it had, or null when none ran. */
export async function stopShadow(pool: Pool, orgId: string, workspaceId: string): Promise<number | null> {
  const { rows } = await pool.query<{ draft_id: string }>('DELETE FROM policy_shadows WHERE org_id = $1 AND workspace_id = $2 RETURNING draft_id', [orgId, workspaceId]);
  return rows.length === 0 ? null : Number(rows[0].draft_id);
}
