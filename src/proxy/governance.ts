import { createHmac, randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { ModelRoute } from '../catalog';
import type { ChatRequest, EmbeddingsRequest } from '../providers';
import { TokenVault, applyToBody, scanBody, type BodyShape, type PiiActionMap, type PiiScanner } from '../pii';
import {
  PolicyEvalError, buildPolicyInput, decide, metadataHeaders, DECISION_ENTRYPOINT,
  type GatewayDecision, type PolicyService, type WorkspacePolicy,
} from '../policy';
import { GatewayError } from '../http';
import type { CapSpec, RateSpec } from '../spend';
import type { Exchange } from './exchange';
import { scheduleShadow } from './shadow-step';

/** What the policy step hands on: the transformed request and where it may go. */
export interface Governed<R> {
  request: R;
  routes: ModelRoute[];
  decision: GatewayDecision;
  /** Tokenized originals of this request, restored in the answer. */
  vault: TokenVault;
  hashKey: Buffer;
  /** Spend caps and rate limits of the workspace's policy data (the key's own are added later). */
  spendLimits: { caps: CapSpec[]; rates: RateSpec[] };
}

export interface GovernanceServices {
  policies: PolicyService;
  piiScanner: PiiScanner;
  /** HMAC key for the `hash` operator, per workspace (stable across requests and instances). */
  hashKeyFor(workspaceId: string): Buffer;
  /** The gateway's metrics registry (shadow-decision counter); optional where nothing scrapes metrics. */
  metricsRegistry?: Registry;
  /** `off` skips the PII scan and the Rego decision (GATEHOUSE_POLICY_MODE; benchmarking only). */
  policyMode?: 'enforce' | 'off';
}

/** What `policyMode: off` lets through: every endpoint able to serve the model, in catalog order. */
function unenforcedDecision(routes: readonly ModelRoute[]): GatewayDecision {
  return {
    allow: true, deny: [], piiActions: {}, outputPiiActions: {}, allowedEndpoints: routes.map((r) => r.endpoint.id),
    excluded: {}, routing: { sort: 'priority' }, obligations: { storePrompt: false, maxTokens: null },
  };
}

/** Per-workspace hash keys derived from the installation secret: stable, and different per tenant. */
export function workspaceHashKeys(instanceSecret: Buffer): (workspaceId: string) => Buffer {
  const cache = new Map<string, Buffer>();
  return (workspaceId) => {
    let key = cache.get(workspaceId);
    if (!key) {
      key = createHmac('sha256', instanceSecret).update(`pii-hash:${workspaceId}`).digest();
      cache.set(workspaceId, key);
    }
    return key;
  };
}

function denial(decision: GatewayDecision, decisionId: string): GatewayError {
  const first = decision.deny[0];
  const message = decision.deny.length ? decision.deny.map((d) => d.message).join('; ') : 'denied by policy';
  return new GatewayError(`Request denied by policy: ${message}`, {
    status: 403, type: 'policy_violation', code: first?.code ?? 'policy_denied',
    headers: { 'x-gatehouse-decision-id': decisionId },
    details: { decision_id: decisionId, rules: decision.deny },
  });
}

/** The allowed endpoints, in the policy's order; an endpoint the decision excluded is never used. */
function allowedRoutes(routes: readonly ModelRoute[], decision: GatewayDecision): ModelRoute[] {
  const byId = new Map(routes.map((r) => [r.endpoint.id, r]));
  const out: ModelRoute[] = [];
  for (const id of decision.allowedEndpoints) {
    const r = byId.get(id);
    if (r && !decision.excluded[id]) out.push(r);
  }
  return out;
}

/** The workspace's compiled policy; fails closed: without it nothing is sent (503, retry shortly). */
function workspacePolicy(services: GovernanceServices, orgId: string, workspaceId: string): WorkspacePolicy | Promise<WorkspacePolicy> {
  const compiled = services.policies.get(orgId, workspaceId);
  if (!(compiled instanceof Promise)) return compiled;
  return compiled.catch(() => {
    throw new GatewayError('The workspace policy cannot be loaded right now; the request was not sent.', {
      status: 503, type: 'server_error', code: 'policy_unavailable', headers: { 'retry-after': '2' },
    });
  });
}

/**
 * Scan → decide → apply: the one place a request is checked against its workspace's policy.
 * Denials (policy, PII block, no compliant endpoint) become 403s naming the rules.
 */
export async function govern<R extends ChatRequest | EmbeddingsRequest>(
  ex: Exchange, services: GovernanceServices, shape: BodyShape, req: R, routes: readonly ModelRoute[],
): Promise<Governed<R>> {
  const key = ex.key!;
  if (services.policyMode === 'off') return ungoverned(ex, services, req, routes);
  const scanned = scanBody(shape, req, services.piiScanner);
  const compiled = await workspacePolicy(services, key.orgId, key.workspaceId);
  const decisionId = randomUUID();
  ex.decisionId = decisionId;
  ex.policyVersion = compiled.version;
  ex.piiSummary = scanned.summary;
  if (!ex.committed) ex.res.setHeader('x-gatehouse-decision-id', decisionId);

  const maxTokens = 'messages' in req ? (req.max_tokens ?? req.max_completion_tokens ?? null) : null;
  const input = buildPolicyInput(
    { org: key.orgSlug, workspace: key.workspaceSlug, key_id: key.id, user_id: key.userId, roles: [], groups: [] },
    { endpoint: ex.route, model: req.model, stream: ex.stream, max_tokens: maxTokens, headers: metadataHeaders(ex.req.headers) },
    scanned.summary, routes,
  );
  let decision: GatewayDecision;
  try {
    // Cached per compiled policy under what the policy reads of the input (src/policy/decision-cache.ts).
    decision = decide(compiled.policy, DECISION_ENTRYPOINT, input);
  } catch (err) {
    // Fail closed: a policy that cannot decide lets nothing through.
    const detail = err instanceof PolicyEvalError ? err.message : (err as Error).message;
    throw new GatewayError(`The workspace policy could not be evaluated (${detail}); the request was not sent.`, {
      status: 500, type: 'server_error', code: 'policy_error', details: { decision_id: decisionId },
    });
  }
  ex.decision = decision;
  // Shadow mode: the workspace's shadow draft judges the same input later, off this path; never enforced.
  scheduleShadow(ex, compiled.shadow, input, decision, services.metricsRegistry);
  if (!decision.allow) throw denial(decision, decisionId);

  const vault = new TokenVault();
  const hashKey = services.hashKeyFor(key.workspaceId);
  let request = req;
  if (scanned.findingCount > 0) {
    const applied = applyToBody(scanned, decision.piiActions as PiiActionMap, { vault, hashKey });
    if (applied.blocked) {
      throw denial({ ...decision, deny: applied.blockedTypes.map((t) => ({ code: 'pii_blocked', message: `the prompt contains ${t}, which this workspace blocks`, rule: `pii.input.${t}` })) }, decisionId);
    }
    request = applied.body as R;
  }
  if (decision.obligations.maxTokens !== null && 'messages' in request && request.max_tokens == null && request.max_completion_tokens == null) {
    request = { ...request, max_tokens: decision.obligations.maxTokens };
  }
  const allowed = allowedRoutes(routes, decision);
  if (allowed.length === 0) {
    throw denial({ ...decision, deny: [{ code: 'no_allowed_endpoint', message: 'no endpoint allowed by policy can serve this model', rule: 'providers' }] }, decisionId);
  }
  return { request, routes: allowed, decision, vault, hashKey, spendLimits: compiled.spend };
}

/** Policies off: no scan, no decision; the workspace's spend caps still apply. */
async function ungoverned<R extends ChatRequest | EmbeddingsRequest>(
  ex: Exchange, services: GovernanceServices, req: R, routes: readonly ModelRoute[],
): Promise<Governed<R>> {
  const key = ex.key!;
  const compiled = await workspacePolicy(services, key.orgId, key.workspaceId);
  const decision = unenforcedDecision(routes);
  ex.decisionId = randomUUID();
  ex.policyVersion = 'off';
  ex.decision = decision;
  return { request: req, routes: [...routes], decision, vault: new TokenVault(), hashKey: services.hashKeyFor(key.workspaceId), spendLimits: compiled.spend };
}

/** True when answers need scanning: output actions set, or tokenized values to restore. */
export function answerNeedsTransform(g: Governed<ChatRequest>): boolean {
  return g.vault.size > 0 || Object.keys(g.decision.outputPiiActions).length > 0;
}
