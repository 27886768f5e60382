/**
 * `POST {scope}/policy/simulate`: a sample request, or the last N requests of the audit log, evaluated
 * under the published policy and a draft (stored, or inline) side by side — which decisions would
 * change. Read-only; needs `read Policy` on the scope; the simulation itself is audited.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { can } from '../../authz';
import { CatalogSnapshot, loadCatalogSpecs } from '../../catalog';
import { currentPolicyData, type Organisation, type PolicyDataVersion } from '../../db';
import { GatewayError } from '../../http';
import { loadDefaultOrgData, loadPolicyModules } from '../../policy/builtin';
import { PolicyCompileError, type PolicyModule, type PreparedPolicy } from '../../policy/engine';
import { compileScopePolicy, contentHash, loadDraft, type ScopeLevel } from '../../policy/lifecycle';
import { PolicyDataError, validatePolicyData } from '../../policy/policy-data';
import {
  loadReplayDirectory, loadRequestEvents, replayInput, runSimulation, sampleInput, REPLAY_LIMITATIONS,
  type PolicyPair, type ReplayedRequest, type SampleInput,
} from '../../policy/simulation';
import { actorOf } from '../audit';
import { badRequest, notFound, type AdminContext } from '../http';
import { authorize, orgFor, param, workspaceFor, type AdminDeps, type AdminRoute } from './table';

const moduleSchema = z.object({ path: z.string().min(1).max(200), source: z.string().max(256 * 1024) }).strict();
const simulateBody = z.object({
  draft_id: z.number().int().positive().optional(),
  draft: z.object({ data: z.record(z.string(), z.unknown()), modules: z.array(moduleSchema).max(50).optional() }).strict().optional(),
  /** Checked by the data plane's own schemas (sampleInput). */
  request: z.record(z.string(), z.unknown()).optional(),
  replay: z.object({ last: z.number().int().min(1).max(500) }).strict().optional(),
  /** Organisation scope only: the workspace whose policy and principal the sample request is evaluated with. */
  workspace: z.string().min(1).max(100).optional(),
}).strict()
  .refine((b) => (b.draft_id === undefined) !== (b.draft === undefined), { message: 'give exactly one of draft_id and draft', path: ['draft_id'] })
  .refine((b) => b.request !== undefined || b.replay !== undefined, { message: 'give a sample request, replay, or both', path: ['request'] });
type SimulateBody = z.output<typeof simulateBody>;

// The built-in policy, read once per process: the same files the gateway's PolicyService compiles.
let builtin: { modules: PolicyModule[]; orgDefaults: Record<string, unknown>; hash: string } | null = null;
function builtinPolicy(): NonNullable<typeof builtin> {
  if (!builtin) {
    const modules = loadPolicyModules();
    builtin = { modules, orgDefaults: loadDefaultOrgData(), hash: contentHash(modules.flatMap((m) => [m.path, m.source])) };
  }
  return builtin;
}

interface Scope {
  org: Organisation;
  orgId: string;
  orgSlug: string;
  workspace: { id: string; slug: string } | null;
}

async function scopeFor(ctx: AdminContext, deps: AdminDeps, req: Request): Promise<Scope> {
  const org = await orgFor(ctx, deps, param(req, 'org'));
  if (req.params.ws === undefined) {
    authorize(ctx, 'read', 'Policy', { orgId: org.id, workspaceId: null });
    return { org, orgId: org.id, orgSlug: org.slug, workspace: null };
  }
  const ws = await workspaceFor(deps, org, param(req, 'ws'));
  if (!can(ctx.ability, 'read', 'Workspace', { orgId: org.id, workspaceId: ws.id })) throw notFound(`Workspace "${ws.slug}" not found in ${org.slug}.`, 'workspace_not_found');
  authorize(ctx, 'read', 'Policy', { orgId: org.id, workspaceId: ws.id });
  return { org, orgId: org.id, orgSlug: org.slug, workspace: { id: ws.id, slug: ws.slug } };
}

const levelOf = (v: PolicyDataVersion | null, fallback: Record<string, unknown>): ScopeLevel =>
  ({ data: v?.data ?? fallback, modules: v?.modules ?? [], wasm: v?.wasm ?? null });

/** The version string the gateway logs for a workspace's published policy (PolicyService's format). */
function versionString(org: PolicyDataVersion | null, ws: PolicyDataVersion | null): string {
  const basis = ws?.wasm ? `wasm@${contentHash([ws.wasm])}` : `default@${builtinPolicy().hash}`;
  return `${basis}/org:v${org?.version ?? 0}/ws:v${ws?.version ?? 0}`;
}

const invalidDraft = (message: string, errors: unknown): GatewayError =>
  new GatewayError(`The draft cannot be simulated: ${message}`, { status: 422, type: 'invalid_request_error', code: 'policy_invalid', details: { errors } });

async function compile(level: { org: ScopeLevel; workspace: ScopeLevel | null }, what: 'draft' | 'published'): Promise<PreparedPolicy> {
  try {
    return await compileScopePolicy({ builtin: builtinPolicy().modules, ...level });
  } catch (err) {
    if (err instanceof PolicyCompileError && what === 'draft') throw invalidDraft('it does not compile', err.errors);
    throw err;
  }
}

/** The draft's content: a stored draft of this scope, or inline content (schema-checked). */
async function draftContent(deps: AdminDeps, scope: Scope, body: SimulateBody): Promise<{ level: ScopeLevel; label: string; id: number | null }> {
  if (body.draft_id !== undefined) {
    const draft = await loadDraft(deps.pool, scope.orgId, scope.workspace?.id ?? null, body.draft_id);
    if (!draft) throw notFound('No such draft in this scope.', 'draft_not_found');
    return { level: { data: draft.data, modules: draft.modules, wasm: draft.wasm }, label: `draft:${draft.id}`, id: draft.id };
  }
  const inline = body.draft!;
  try {
    validatePolicyData(inline.data);
  } catch (err) {
    if (err instanceof PolicyDataError) throw invalidDraft(err.message, err.issues);
    throw err;
  }
  return { level: { data: inline.data, modules: inline.modules ?? [] }, label: 'inline draft', id: null };
}

/**
 * Builds the two policies of one workspace (null: the organisation level alone). Workspace scope:
 * the draft replaces the workspace level; organisation scope: it replaces the organisation level
 * under each workspace's own published data.
 */
function pairBuilder(deps: AdminDeps, scope: Scope, draft: ScopeLevel): (workspaceId: string | null) => Promise<PolicyPair> {
  let orgVersion: Promise<PolicyDataVersion | null> | null = null;
  return async (workspaceId) => {
    orgVersion ??= currentPolicyData(deps.pool, scope.orgId, null);
    const [org, ws] = await Promise.all([orgVersion, workspaceId ? currentPolicyData(deps.pool, scope.orgId, workspaceId) : null]);
    const orgLevel = levelOf(org, builtinPolicy().orgDefaults);
    const wsLevel = workspaceId ? levelOf(ws, {}) : null;
    const published = await compile({ org: orgLevel, workspace: wsLevel }, 'published');
    const drafted = scope.workspace
      ? await compile({ org: orgLevel, workspace: draft }, 'draft')
      : await compile({ org: { data: draft.data, modules: draft.modules }, workspace: wsLevel }, 'draft');
    return { published, draft: drafted, publishedVersion: workspaceId ? versionString(org, ws) : `org:v${org?.version ?? 0}` };
  };
}

async function simulate(ctx: AdminContext, req: Request, deps: AdminDeps): Promise<unknown> {
  const scope = await scopeFor(ctx, deps, req);
  const body = simulateBody.parse(req.body);
  if (body.workspace !== undefined && scope.workspace) throw badRequest('workspace: only for an organisation-scope simulation (the path names the workspace).', 'workspace');
  const draft = await draftContent(deps, scope, body);
  // Today's catalog, as the gateway's CatalogService loads it.
  const catalog = new CatalogSnapshot(await loadCatalogSpecs(deps.pool), () => undefined, { connectMs: 1, firstByteMs: 1, totalMs: 1 });
  const notes: string[] = [];

  let sample: { input: SampleInput; workspaceId: string | null } | undefined;
  if (body.request) {
    let ws = scope.workspace;
    if (!ws && body.workspace !== undefined) {
      const found = await workspaceFor(deps, scope.org, body.workspace);
      ws = { id: found.id, slug: found.slug };
    }
    const principal = { orgSlug: scope.orgSlug, workspaceSlug: ws?.slug ?? '', userId: ctx.principal.kind === 'user' ? ctx.principal.id : null };
    sample = { input: sampleInput(body.request, catalog, principal), workspaceId: ws?.id ?? null };
    notes.push(`the sample request is evaluated as a synthetic API key (key_id "${sample.input.input.principal.key_id}") of ${ws ? `workspace ${ws.slug}` : 'no workspace (the organisation level alone)'}`);
  }
  let replay: ReplayedRequest[] | undefined;
  if (body.replay) {
    const events = await loadRequestEvents(deps.pool, scope.orgId, scope.workspace?.id ?? null, body.replay.last);
    const dir = await loadReplayDirectory(deps.pool, scope.orgId, scope.orgSlug, events);
    replay = events.map((e) => replayInput(e, catalog, dir)).filter((r): r is ReplayedRequest => r !== null);
    notes.push(...REPLAY_LIMITATIONS);
  }

  const report = await runSimulation({ pairFor: pairBuilder(deps, scope, draft.level), sample, replay });
  const publishedVersion = (await currentPolicyData(deps.pool, scope.orgId, scope.workspace?.id ?? null))?.version ?? 0;
  await deps.audit.emit({
    type: 'policy.simulated', orgId: scope.orgId, workspaceId: scope.workspace?.id ?? null, actor: actorOf(ctx.principal), outcome: 'success',
    target: { type: 'policy', id: scope.workspace?.id ?? scope.orgId, label: scope.workspace ? `workspace ${scope.orgSlug}/${scope.workspace.slug}` : `organisation ${scope.orgSlug}` },
    details: {
      draft_id: draft.id, draft: draft.label, published_version: publishedVersion, sample: sample !== undefined,
      replayed: replay?.length ?? 0, total: report.total, changed: report.changed,
    },
  });
  return {
    published_version: publishedVersion, published_policy: report.published_version, draft: { id: draft.id, label: draft.label },
    results: report.results, changed: report.changed, total: report.total, notes,
  };
}

const route = (path: string, summary: string): AdminRoute => ({
  method: 'post', path, summary, tag: 'policy', permission: { action: 'read', subject: 'Policy' }, body: simulateBody, status: 200,
  run: (ctx, req, _res, deps) => simulate(ctx, req, deps),
});

export const policySimulationRoutes: AdminRoute[] = [
  route('/orgs/:org/policy/simulate', "Simulate an organisation-level draft: a sample request or the organisation's last N requests, published vs draft"),
  route('/orgs/:org/workspaces/:ws/policy/simulate', "Simulate a workspace draft: a sample request or the workspace's last N requests, published vs draft"),
];
