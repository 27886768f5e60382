/**
 * Lifecycle operations independent of HTTP: validate a scope's content against what is in force,
 * create a draft (only when valid), publish an approved draft or roll back to an old version (both
 * re-validated against the organisation data in force at that moment), and broadcast the change.
 */
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { currentPolicyData, policyDataVersion, type PolicyDataVersion } from '../../db';
import type { PolicyModule } from '../engine';
import { loadDefaultOrgData, loadPolicyModules, loadPolicyTests } from '../builtin';
import { validateDraft } from './validate';
import { insertDraft, publishVersion, type PublishRefusal } from './store';
import type { DraftRecord, PolicyContent, PolicyPerson, Validation } from './types';

/** Where a policy lives: an organisation's defaults (workspaceId null) or one workspace. */
export interface PolicyScope {
  orgId: string;
  workspaceId: string | null;
  /** Workspace slug (names the custom package); null for the organisation. */
  workspaceSlug: string | null;
  /** e.g. `workspace acme/payments` or `organisation acme` (audit labels). */
  label: string;
}

let builtin: { modules: PolicyModule[]; tests: PolicyModule[]; orgDefaults: Record<string, unknown> } | null = null;
/** The built-in policy, read once per process (the same files PolicyService compiles). */
export function builtinPolicy(): { modules: PolicyModule[]; tests: PolicyModule[]; orgDefaults: Record<string, unknown> } {
  builtin ??= { modules: loadPolicyModules(), tests: loadPolicyTests(), orgDefaults: loadDefaultOrgData() };
  return builtin;
}

/** The organisation level in force: its latest published data and custom modules, or the built-in defaults. */
export async function orgLevelInForce(pool: Pool, orgId: string): Promise<{ data: Record<string, unknown>; modules: PolicyModule[] }> {
  const org = await currentPolicyData(pool, orgId, null);
  return { data: org?.data ?? builtinPolicy().orgDefaults, modules: org?.modules ?? [] };
}

export async function validateContent(pool: Pool, scope: PolicyScope, content: PolicyContent): Promise<Validation> {
  const b = builtinPolicy();
  return validateDraft({
    workspaceSlug: scope.workspaceSlug, content, orgInForce: await orgLevelInForce(pool, scope.orgId), builtin: b.modules, builtinTests: b.tests,
  });
}

export type CreateResult = { ok: true; draft: DraftRecord } | { ok: false; validation: Validation };

/** Validates and stores a new draft (nothing is stored when invalid). `baseVersion` defaults to the version in force. */
export async function createDraft(
  pool: Pool, scope: PolicyScope, content: PolicyContent, author: PolicyPerson, note: string | null, baseVersion?: number,
): Promise<CreateResult> {
  const validation = await validateContent(pool, scope, content);
  if (!validation.ok) return { ok: false, validation };
  const base = baseVersion ?? (await currentPolicyData(pool, scope.orgId, scope.workspaceId))?.version ?? 0;
  const draft = await insertDraft(pool, { orgId: scope.orgId, workspaceId: scope.workspaceId, baseVersion: base, ...content, note, author, validation });
  return { ok: true, draft };
}

export type PublishResult = { ok: true; version: PolicyDataVersion } | { ok: false; refusal: PublishRefusal } | { ok: false; validation: Validation };

/** Publishes an approved draft onto the version it was based on (re-validated first: the organisation may have changed). */
export async function publishDraft(pool: Pool, scope: PolicyScope, draft: DraftRecord, publishedBy: string): Promise<PublishResult> {
  if (draft.status !== 'approved') return { ok: false, refusal: { reason: 'not_approved', status: draft.status } };
  const validation = await validateContent(pool, scope, draft);
  if (!validation.ok) return { ok: false, validation };
  const result = await publishVersion(pool, { orgId: scope.orgId, workspaceId: scope.workspaceId, content: draft, publishedBy, note: draft.note, draftId: draft.id });
  return 'reason' in result ? { ok: false, refusal: result } : { ok: true, version: result };
}

/** Publishes a copy of an old version as the newest one (rollback_of names it). Null when the version does not exist. */
export async function rollbackTo(pool: Pool, scope: PolicyScope, version: number, publishedBy: string, note: string | null): Promise<PublishResult | null> {
  const old = await policyDataVersion(pool, scope.orgId, scope.workspaceId, version);
  if (!old) return null;
  const content: PolicyContent = { data: old.data, modules: old.modules, wasm: old.wasm };
  const validation = await validateContent(pool, scope, content);
  if (!validation.ok) return { ok: false, validation };
  const result = await publishVersion(pool, { orgId: scope.orgId, workspaceId: scope.workspaceId, content, publishedBy, note, rollbackOf: version });
  return 'reason' in result ? { ok: false, refusal: result } : { ok: true, version: result };
}

/**
 * Tells every gateway instance (PolicyService) to rebuild the scope's compiled policy now. The change
 * is already committed when this runs, so a Redis failure must not turn it into an error: each
 * instance's one-second version check picks the new version up anyway. Returns whether it was sent.
 */
export async function broadcastPolicyChange(redis: Pick<Redis, 'publish'>, redisPrefix: string, scope: Pick<PolicyScope, 'orgId' | 'workspaceId'>): Promise<boolean> {
  try {
    await redis.publish(`${redisPrefix}policy:changed`, `${scope.orgId}:${scope.workspaceId ?? '*'}`);
    return true;
  } catch {
    return false;
  }
}
