/**
 * Policy lifecycle routes (issue #9), each served for the organisation's defaults
 * (`/orgs/:org/policy/...`) and for a workspace (`/orgs/:org/workspaces/:ws/policy/...`).
 * The lifecycle itself (validation, store, publish) lives in src/policy/lifecycle; this file maps it
 * to HTTP, checks rights (four eyes included) and audits every step.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { can, type Action } from '../../authz';
import { currentPolicyData, listPolicyDataVersions, policyDataVersion } from '../../db';
import { GatewayError } from '../../http';
import {
  broadcastPolicyChange, createDraft, diffPolicy, importBundle, listDrafts, loadDraft, loadShadow, publishDraft, rollbackTo, startShadow,
  stopShadow, transitionDraft, validateContent, DRAFT_STATUSES, IMPORT_LIMITS,
  type DraftRecord, type DraftStatus, type PolicyPerson, type PolicyScope, type PublishResult, type Transition, type Validation,
} from '../../policy/lifecycle';
import { actorOf } from '../audit';
import { badRequest, conflict, forbidden, notFound, type AdminContext } from '../http';
import { authorize, orgFor, param, workspaceFor, type AdminDeps, type AdminRoute } from './table';
import { draftJson, versionJson, versionSummaryJson } from './policy-json';

const moduleSchema = z.object({ path: z.string().min(1).max(200), source: z.string().max(256 * 1024) }).strict();
const contentBody = z.object({
  data: z.record(z.string(), z.unknown()),
  modules: z.array(moduleSchema).max(50).optional(),
}).strict();
const draftBody = contentBody.extend({
  note: z.string().max(2000).optional(),
  base_version: z.number().int().nonnegative().optional(),
}).strict();
const approveBody = z.object({ comment: z.string().max(2000).optional() }).strict();
const rejectBody = z.object({ comment: z.string().trim().min(1).max(2000) }).strict();
const rollbackBody = z.object({ note: z.string().max(2000).optional() }).strict();
const draftsQuery = z.object({ status: z.string().max(200).optional() });
const importQuery = z.object({ note: z.string().max(2000).optional() });

interface Resolved {
  scope: PolicyScope;
  orgSlug: string;
}

/**
 * The scope named in the path, after the rights check. A workspace the caller has no role in answers
 * 404 (as another organisation does); a member without the right answers 403.
 */
async function scopeFor(ctx: AdminContext, deps: AdminDeps, req: Request, action: Action): Promise<Resolved> {
  const org = await orgFor(ctx, deps, param(req, 'org'));
  if (req.params.ws === undefined) {
    authorize(ctx, action, 'Policy', { orgId: org.id, workspaceId: null });
    return { scope: { orgId: org.id, workspaceId: null, workspaceSlug: null, label: `organisation ${org.slug}` }, orgSlug: org.slug };
  }
  const ws = await workspaceFor(deps, org, param(req, 'ws'));
  if (!can(ctx.ability, 'read', 'Workspace', { orgId: org.id, workspaceId: ws.id })) throw notFound(`Workspace "${ws.slug}" not found in ${org.slug}.`, 'workspace_not_found');
  authorize(ctx, action, 'Policy', { orgId: org.id, workspaceId: ws.id });
  return { scope: { orgId: org.id, workspaceId: ws.id, workspaceSlug: ws.slug, label: `workspace ${org.slug}/${ws.slug}` }, orgSlug: org.slug };
}

const personOf = (ctx: AdminContext): PolicyPerson => ({ userId: ctx.principal.id, label: ctx.principal.label });

function draftId(req: Request): number {
  const id = Number(param(req, 'id'));
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound('No such draft.', 'draft_not_found');
  return id;
}

async function draftIn(deps: AdminDeps, scope: PolicyScope, id: number): Promise<DraftRecord> {
  const draft = await loadDraft(deps.pool, scope.orgId, scope.workspaceId, id);
  if (!draft) throw notFound('No such draft in this scope.', 'draft_not_found');
  return draft;
}

const invalid = (validation: Validation, message = 'The policy is not valid; nothing was stored.'): GatewayError =>
  new GatewayError(message, { status: 422, type: 'invalid_request_error', code: 'policy_invalid', details: { validation } });

function refusal(result: Exclude<PublishResult, { ok: true }>): GatewayError {
  if ('validation' in result) return invalid(result.validation, 'The policy no longer validates against what is in force; it was not published.');
  const r = result.refusal;
  if (r.reason === 'not_approved') return conflict(`Only an approved draft can be published (this one is ${r.status}).`, 'not_approved');
  return conflict(`The draft was based on version ${r.base}, but version ${r.inForce} is in force now; create a new draft from it.`, 'stale_draft');
}

/** Audit of a lifecycle step: target = the scope's policy; details name the draft and versions. */
async function audit(
  deps: AdminDeps, ctx: AdminContext, scope: PolicyScope, type: string, details: Record<string, string | number | boolean | null>, outcome: 'success' | 'denied' = 'success',
): Promise<void> {
  await deps.audit.emit({
    type, orgId: scope.orgId, workspaceId: scope.workspaceId, actor: actorOf(ctx.principal), outcome,
    target: { type: 'policy', id: scope.workspaceId ?? scope.orgId, label: scope.label }, details,
  });
}

const draftDetails = (d: DraftRecord): Record<string, string | number | null> => ({
  draft_id: d.id, base_version: d.baseVersion, status: d.status, author: d.author.label, reviewer: d.reviewedBy?.label ?? null,
});

/** Submit/withdraw: the draft's author, or someone who may also review drafts here (admins, owners). */
function assertAuthorOrAdmin(ctx: AdminContext, scope: PolicyScope, draft: DraftRecord): void {
  if (draft.author.userId === ctx.principal.id) return;
  if (can(ctx.ability, 'approve', 'Policy', { orgId: scope.orgId, workspaceId: scope.workspaceId })) return;
  throw forbidden('Only the author of a draft (or an administrator) may submit or withdraw it.', 'not_author');
}

const PAST: Record<Transition, string> = { submit: 'submitted', withdraw: 'withdrawn', approve: 'approved', reject: 'rejected' };

async function move(
  deps: AdminDeps, ctx: AdminContext, scope: PolicyScope, draft: DraftRecord, transition: Transition, comment: string | null = null,
): Promise<DraftRecord> {
  const review = transition === 'approve' || transition === 'reject';
  const moved = await transitionDraft(deps.pool, draft, transition, review ? { person: personOf(ctx), comment } : undefined);
  if (!moved) throw conflict(`A ${draft.status} draft cannot be ${PAST[transition]}.`, 'invalid_status');
  return moved;
}

interface Spec {
  method: AdminRoute['method'];
  /** Path after the scope, e.g. `/policy/drafts/:id`. */
  sub: string;
  summary: string;
  action: Action;
  body?: z.ZodType;
  query?: z.ZodType;
  status: number;
  workspaceOnly?: boolean;
  run(ctx: AdminContext, req: Request, deps: AdminDeps, r: Resolved): Promise<unknown>;
}

const SPECS: Spec[] = [
  {
    method: 'get', sub: '/policy', summary: 'The published policy in force, the shadow draft and the open drafts', action: 'read', status: 200,
    async run(_ctx, _req, deps, { scope }) {
      const [published, shadow, open] = await Promise.all([
        currentPolicyData(deps.pool, scope.orgId, scope.workspaceId),
        scope.workspaceId ? loadShadow(deps.pool, scope.orgId, scope.workspaceId) : null,
        listDrafts(deps.pool, scope.orgId, scope.workspaceId, ['draft', 'submitted', 'approved']),
      ]);
      return {
        published: published ? versionJson(published) : null,
        shadow: shadow ? { draft_id: shadow.draftId, started_by: shadow.startedBy, started_at: shadow.startedAt } : null,
        open_drafts: open.map((d) => draftJson(d, false)),
      };
    },
  },
  {
    method: 'get', sub: '/policy/versions', summary: 'Published versions, newest first', action: 'read', status: 200,
    async run(_ctx, _req, deps, { scope }) {
      return { versions: (await listPolicyDataVersions(deps.pool, scope.orgId, scope.workspaceId)).map(versionSummaryJson) };
    },
  },
  {
    method: 'get', sub: '/policy/versions/:version', summary: 'One published version with its data and Rego', action: 'read', status: 200,
    async run(_ctx, req, deps, { scope }) {
      const v = await policyDataVersion(deps.pool, scope.orgId, scope.workspaceId, versionParam(req));
      if (!v) throw notFound('No such published version.', 'version_not_found');
      return versionJson(v);
    },
  },
  {
    method: 'post', sub: '/policy/validate', summary: 'Validate policy data and Rego without storing anything', action: 'read', body: contentBody, status: 200,
    async run(_ctx, req, deps, { scope }) {
      const body = contentBody.parse(req.body);
      return validateContent(deps.pool, scope, { data: body.data, modules: body.modules ?? [], wasm: null });
    },
  },
  {
    method: 'get', sub: '/policy/drafts', summary: 'Drafts (summary form), newest first; ?status=submitted,approved filters', action: 'read', query: draftsQuery, status: 200,
    async run(_ctx, req, deps, { scope }) {
      const q = draftsQuery.parse(req.query);
      let statuses: DraftStatus[] | undefined;
      if (q.status) {
        statuses = q.status.split(',').map((s) => s.trim()).filter(Boolean) as DraftStatus[];
        const bad = statuses.find((s) => !(DRAFT_STATUSES as readonly string[]).includes(s));
        if (bad) throw badRequest(`status must be one of ${DRAFT_STATUSES.join(', ')}`, 'status');
      }
      return { drafts: (await listDrafts(deps.pool, scope.orgId, scope.workspaceId, statuses)).map((d) => draftJson(d, false)) };
    },
  },
  {
    method: 'post', sub: '/policy/drafts', summary: 'Create a draft (validated; 422 with the validation when invalid, nothing stored)', action: 'create', body: draftBody, status: 201,
    async run(ctx, req, deps, { scope }) {
      const body = draftBody.parse(req.body);
      if (body.base_version !== undefined) {
        const inForce = (await currentPolicyData(deps.pool, scope.orgId, scope.workspaceId))?.version ?? 0;
        if (body.base_version > inForce) throw badRequest(`base_version ${body.base_version} was never published (version ${inForce} is in force).`, 'base_version');
      }
      const created = await createDraft(deps.pool, scope, { data: body.data, modules: body.modules ?? [], wasm: null }, personOf(ctx), body.note ?? null, body.base_version);
      if (!created.ok) throw invalid(created.validation);
      await audit(deps, ctx, scope, 'policy.draft_created', draftDetails(created.draft));
      return draftJson(created.draft, true);
    },
  },
  {
    method: 'get', sub: '/policy/drafts/:id', summary: 'A draft with its validation and its diff against the version in force', action: 'read', status: 200,
    async run(_ctx, req, deps, { scope }) {
      const draft = await draftIn(deps, scope, draftId(req));
      const inForce = await currentPolicyData(deps.pool, scope.orgId, scope.workspaceId);
      return { ...draftJson(draft, true), diff: diffPolicy(inForce, draft), diff_against: inForce?.version ?? 0 };
    },
  },
  {
    method: 'post', sub: '/policy/drafts/:id/submit', summary: 'Submit a draft for review (its author or an administrator)', action: 'update', status: 200,
    async run(ctx, req, deps, { scope }) {
      const draft = await draftIn(deps, scope, draftId(req));
      assertAuthorOrAdmin(ctx, scope, draft);
      const moved = await move(deps, ctx, scope, draft, 'submit');
      await audit(deps, ctx, scope, 'policy.draft_submitted', draftDetails(moved));
      return draftJson(moved, true);
    },
  },
  {
    method: 'post', sub: '/policy/drafts/:id/withdraw', summary: 'Withdraw a draft or submitted draft (its author or an administrator)', action: 'update', status: 200,
    async run(ctx, req, deps, { scope }) {
      const draft = await draftIn(deps, scope, draftId(req));
      assertAuthorOrAdmin(ctx, scope, draft);
      const moved = await move(deps, ctx, scope, draft, 'withdraw');
      await audit(deps, ctx, scope, 'policy.draft_withdrawn', draftDetails(moved));
      return draftJson(moved, true);
    },
  },
  {
    method: 'post', sub: '/policy/drafts/:id/approve', summary: 'Approve a submitted draft (four eyes: never its own author)', action: 'approve', body: approveBody, status: 200,
    async run(ctx, req, deps, { scope }) {
      const body = approveBody.parse(req.body ?? {});
      const draft = await draftIn(deps, scope, draftId(req));
      if (draft.author.userId !== null && draft.author.userId === ctx.principal.id) {
        await audit(deps, ctx, scope, 'policy.draft_approved', { ...draftDetails(draft), reason: 'four_eyes' }, 'denied');
        throw forbidden('A draft must be approved by someone other than its author.', 'four_eyes');
      }
      const moved = await move(deps, ctx, scope, draft, 'approve', body.comment ?? null);
      await audit(deps, ctx, scope, 'policy.draft_approved', draftDetails(moved));
      return draftJson(moved, true);
    },
  },
  {
    method: 'post', sub: '/policy/drafts/:id/reject', summary: 'Reject a submitted draft with a comment', action: 'approve', body: rejectBody, status: 200,
    async run(ctx, req, deps, { scope }) {
      const body = rejectBody.parse(req.body);
      const draft = await draftIn(deps, scope, draftId(req));
      const moved = await move(deps, ctx, scope, draft, 'reject', body.comment);
      await audit(deps, ctx, scope, 'policy.draft_rejected', draftDetails(moved));
      return draftJson(moved, true);
    },
  },
  {
    method: 'post', sub: '/policy/drafts/:id/publish', summary: 'Publish an approved draft (409 not_approved / stale_draft); every gateway switches at once', action: 'publish', status: 200,
    async run(ctx, req, deps, { scope }) {
      const draft = await draftIn(deps, scope, draftId(req));
      const result = await publishDraft(deps.pool, scope, draft, ctx.principal.label);
      if (!result.ok) throw refusal(result);
      const broadcast = await broadcastPolicyChange(deps.redis, deps.redisPrefix, scope);
      await audit(deps, ctx, scope, 'policy.published', { ...draftDetails({ ...draft, status: 'published' }), version: result.version.version, publisher: ctx.principal.label, broadcast });
      return { version: versionJson(result.version) };
    },
  },
  {
    method: 'post', sub: '/policy/versions/:version/rollback', summary: "Publish a copy of an old version as a new version", action: 'publish', body: rollbackBody, status: 200,
    async run(ctx, req, deps, { scope }) {
      const body = rollbackBody.parse(req.body ?? {});
      const target = versionParam(req);
      const result = await rollbackTo(deps.pool, scope, target, ctx.principal.label, body.note ?? `rollback to version ${target}`);
      if (!result) throw notFound('No such published version.', 'version_not_found');
      if (!result.ok) throw refusal(result);
      const broadcast = await broadcastPolicyChange(deps.redis, deps.redisPrefix, scope);
      await audit(deps, ctx, scope, 'policy.rolled_back', { version: result.version.version, rollback_of: target, publisher: ctx.principal.label, broadcast });
      return { version: versionJson(result.version) };
    },
  },
  {
    method: 'post', sub: '/policy/import', summary: 'Import an OPA bundle (tar.gz: .rego + data.json, or policy.wasm + data.json) as a new draft', action: 'create', query: importQuery, status: 201,
    async run(ctx, req, deps, { scope }) {
      const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      // No type at all is accepted too: the archive is recognised by its magic bytes.
      if (!['', 'application/gzip', 'application/x-gzip', 'application/x-tar', 'application/tar', 'application/octet-stream'].includes(type)) {
        throw new GatewayError('Send the bundle bytes as application/gzip, application/x-tar or application/octet-stream.', { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' });
      }
      const bytes = await readRawBody(req, IMPORT_LIMITS.maxArchiveBytes);
      const imported = await importBundle(bytes);
      if (!imported.ok) throw invalid({ ok: false, errors: imported.issues, warnings: [], tests: { passed: 0, failed: 0, results: [] } }, 'The bundle cannot be imported; nothing was stored.');
      const note = importQuery.parse(req.query).note ?? `imported OPA bundle (${imported.content.wasm ? 'wasm' : 'rego'})`;
      const created = await createDraft(deps.pool, scope, imported.content, personOf(ctx), note);
      if (!created.ok) throw invalid(created.validation);
      await audit(deps, ctx, scope, 'policy.imported', { ...draftDetails(created.draft), kind: imported.content.wasm ? 'wasm' : 'rego', files: imported.files.length, bytes: bytes.byteLength });
      return draftJson(created.draft, true);
    },
  },
  {
    method: 'post', sub: '/policy/drafts/:id/shadow', summary: "Evaluate a draft in shadow next to the workspace's live policy (never enforced)", action: 'publish', status: 200, workspaceOnly: true,
    async run(ctx, req, deps, { scope }) {
      const draft = await draftIn(deps, scope, draftId(req));
      if (!['draft', 'submitted', 'approved'].includes(draft.status)) throw conflict(`A ${draft.status} draft cannot run in shadow.`, 'invalid_status');
      const { shadow, replaced } = await startShadow(deps.pool, scope.orgId, scope.workspaceId!, draft.id, ctx.principal.label);
      await broadcastPolicyChange(deps.redis, deps.redisPrefix, scope);
      await audit(deps, ctx, scope, 'policy.shadow_started', { draft_id: draft.id, replaced_draft_id: replaced });
      return { shadow: { draft_id: shadow.draftId, started_by: shadow.startedBy, started_at: shadow.startedAt } };
    },
  },
  {
    method: 'delete', sub: '/policy/shadow', summary: "Stop the workspace's shadow evaluation", action: 'publish', status: 204, workspaceOnly: true,
    async run(ctx, _req, deps, { scope }) {
      const stopped = await stopShadow(deps.pool, scope.orgId, scope.workspaceId!);
      if (stopped === null) throw notFound('No draft runs in shadow here.', 'shadow_not_found');
      await broadcastPolicyChange(deps.redis, deps.redisPrefix, scope);
      await audit(deps, ctx, scope, 'policy.shadow_stopped', { draft_id: stopped });
      return null;
    },
  },
];

function versionParam(req: Request): number {
  const v = Number(param(req, 'version'));
  if (!Number.isSafeInteger(v) || v <= 0) throw notFound('No such published version.', 'version_not_found');
  return v;
}

/** The raw request body up to `limit` bytes (express.json leaves non-JSON bodies unread). */
async function readRawBody(req: Request, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw new GatewayError(`The bundle is larger than ${limit} bytes.`, { status: 413, type: 'invalid_request_error', code: 'body_too_large' });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw badRequest('The request body is empty; send the bundle bytes.', null, 'empty_body');
  return Buffer.concat(chunks);
}

const toRoute = (spec: Spec, prefix: string): AdminRoute => ({
  method: spec.method, path: `${prefix}${spec.sub}`, summary: spec.summary, tag: 'policy',
  permission: { action: spec.action, subject: 'Policy' }, body: spec.body, query: spec.query, status: spec.status,
  async run(ctx, req, _res, deps) {
    return spec.run(ctx, req, deps, await scopeFor(ctx, deps, req, spec.action));
  },
});

/** Every policy route, organisation scope first, then workspace scope. */
export const policyRoutes: AdminRoute[] = [
  ...SPECS.filter((s) => !s.workspaceOnly).map((s) => toRoute(s, '/orgs/:org')),
  ...SPECS.map((s) => toRoute(s, '/orgs/:org/workspaces/:ws')),
];
