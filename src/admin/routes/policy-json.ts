/** JSON shapes of the policy lifecycle API (the contract in the admin README). */
import type { PolicyDataVersion } from '../../db';
import type { DraftRecord } from '../../policy/lifecycle';

export const versionJson = (v: PolicyDataVersion) => ({
  version: v.version, data: v.data, modules: v.modules, kind: v.wasm ? 'wasm' as const : 'rego' as const,
  published_by: v.createdBy, published_at: v.createdAt, draft_id: v.draftId, rollback_of: v.rollbackOf, note: v.note,
});

export const versionSummaryJson = (v: Omit<PolicyDataVersion, 'data' | 'modules' | 'wasm'> & { kind: 'rego' | 'wasm'; moduleCount: number }) => ({
  version: v.version, kind: v.kind, module_count: v.moduleCount, published_by: v.createdBy, published_at: v.createdAt,
  draft_id: v.draftId, rollback_of: v.rollbackOf, note: v.note,
});

/** `full`: with data, modules and validation; otherwise the summary form used by lists. */
export function draftJson(d: DraftRecord, full: boolean) {
  const summary = {
    id: d.id, status: d.status, base_version: d.baseVersion, kind: d.wasm ? 'wasm' as const : 'rego' as const, note: d.note,
    author: { user_id: d.author.userId, label: d.author.label }, created_at: d.createdAt, submitted_at: d.submittedAt,
    reviewed_by: d.reviewedBy ? { user_id: d.reviewedBy.userId, label: d.reviewedBy.label } : null, reviewed_at: d.reviewedAt,
    review_comment: d.reviewComment, published_version: d.publishedVersion, published_at: d.publishedAt,
    validation_ok: d.validation?.ok ?? null,
  };
  return full ? { ...summary, data: d.data, modules: d.modules, validation: d.validation } : summary;
}
