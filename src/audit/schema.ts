import { canonicalJson } from './canonical-json';
import { isUuid, uuidv7 } from './uuidv7';

/**
 * The audit event: what is hashed into the chain. Versioned (`v`) so readers can evolve;
 * field names never change meaning within a version. Raw prompt/answer text is never part of
 * it — at most a digest of the encrypted copy stored apart (see content-crypto.ts).
 */
export const AUDIT_SCHEMA_VERSION = 1;

/** The event types the gateway emits today; other dotted lower-case names are accepted too. */
export const AUDIT_EVENT_TYPES = [
  'request.decided', 'request.completed', 'request.failed',
  'policy.created', 'policy.updated', 'policy.published', 'policy.deleted', 'policy.data_updated',
  'key.created', 'key.revoked', 'key.updated',
  'member.invited', 'member.added', 'member.removed', 'member.role_changed',
  'sso.login', 'sso.login_failed',
  'export.requested', 'export.completed', 'export.failed',
  'spend.alert', 'spend.cap_changed',
  'catalog.updated', 'audit.sealed', 'audit.verified',
] as const;
export type KnownAuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

const TYPE_RE = /^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,47}){1,3}$/;

export type ActorType = 'user' | 'api_key' | 'system';
export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditActor {
  type: ActorType;
  /** User id, API key id, or the system component (e.g. "gateway", "cli"). */
  id: string;
  /** Human-readable label: e-mail, key name, component description. */
  label?: string;
}

export interface AuditDecision {
  /** Decision id (one per request). */
  id: string;
  /** Version (or bundle revision) of the policy that produced the decision. */
  policyVersion: string;
  allow: boolean;
  /** Rules or deny codes that fired. */
  rules: string[];
  /** Obligation names attached to the decision (e.g. "no_store_prompt"). */
  obligations?: string[];
}

export interface AuditRequestSummary {
  requestId: string;
  route?: string;
  model?: string;
  /** Catalog endpoint finally used (null when none was reached). */
  endpoint?: string | null;
  stream?: boolean;
  status?: number;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  latencyMs?: number;
  errorCode?: string | null;
  /** Endpoints tried before the one that answered (failover). */
  attempts?: number;
}

/** A shadow (draft) policy evaluated next to the live one on this request, never enforced. */
export interface AuditShadowDecision {
  /** Version string of the shadow policy (names the draft). */
  version: string;
  draftId: number;
  allow: boolean;
  /** Deny codes of the shadow decision. */
  deny: string[];
  /** The shadow decision differs from the enforced one. */
  changed: boolean;
  /** The shadow policy failed to decide. */
  error?: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Raw content, only kept when the decision's obligations allow it (then encrypted, stored apart). */
export interface AuditContentInput {
  prompt?: string;
  completion?: string;
}

/** What callers hand to the producer. id and time are filled in when absent. */
export interface AuditEventInput {
  id?: string;
  time?: Date | string | number;
  type: KnownAuditEventType | (string & {});
  orgId: string;
  workspaceId?: string | null;
  actor: AuditActor;
  outcome?: AuditOutcome;
  /** What the action was about: { type: 'api_key', id } etc. */
  target?: { type: string; id: string; label?: string };
  decision?: AuditDecision;
  shadow?: AuditShadowDecision;
  request?: AuditRequestSummary;
  /** PII findings by entity type → count. Never values. */
  pii?: Record<string, number>;
  /** Small extra facts (≤ 16 KiB canonical). No secrets, no prompt text. */
  details?: { [key: string]: JsonValue };
  /** Raw text; dropped unless `storeContent` is true (the obligations allow it). */
  content?: AuditContentInput;
  storeContent?: boolean;
}

/** Digest of encrypted content stored outside the chain (so it can be erased without breaking it). */
export interface AuditContentRef {
  sha256: string;
  keyId: string;
  bytes: number;
}

/** The chained event body. */
export interface AuditEvent {
  v: typeof AUDIT_SCHEMA_VERSION;
  id: string;
  time: string;
  type: string;
  org: string;
  workspace: string | null;
  actor: AuditActor;
  outcome?: AuditOutcome;
  target?: { type: string; id: string; label?: string };
  decision?: AuditDecision;
  shadow?: AuditShadowDecision;
  request?: AuditRequestSummary;
  pii?: Record<string, number>;
  details?: { [key: string]: JsonValue };
  content?: AuditContentRef;
}

export class AuditEventError extends Error {}

const ACTOR_TYPES: ReadonlySet<string> = new Set(['user', 'api_key', 'system']);
const OUTCOMES: ReadonlySet<string> = new Set(['success', 'denied', 'failure']);
const MAX_SHORT = 512;
const MAX_DETAILS_CHARS = 16 * 1024;

function fail(message: string): never {
  throw new AuditEventError(message);
}

function shortString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SHORT) fail(`${name} must be a non-empty string of at most ${MAX_SHORT} characters`);
  return value;
}

function optionalShort(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : shortString(value, name);
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${name} must be a non-negative integer`);
  return value;
}

function toIsoTime(time: AuditEventInput['time']): string {
  if (time === undefined) return new Date().toISOString();
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) fail('time is not a valid date');
  return date.toISOString();
}

function checkActor(actor: unknown): AuditActor {
  if (typeof actor !== 'object' || actor === null) fail('actor is required');
  const a = actor as Record<string, unknown>;
  if (typeof a.type !== 'string' || !ACTOR_TYPES.has(a.type)) fail('actor.type must be user, api_key or system');
  const out: AuditActor = { type: a.type as ActorType, id: shortString(a.id, 'actor.id') };
  if (a.label !== undefined) out.label = shortString(a.label, 'actor.label');
  return out;
}

function checkDecision(d: AuditDecision): AuditDecision {
  if (typeof d.allow !== 'boolean') fail('decision.allow must be a boolean');
  if (!Array.isArray(d.rules) || d.rules.length > 256) fail('decision.rules must be an array (≤ 256)');
  const out: AuditDecision = {
    id: shortString(d.id, 'decision.id'), policyVersion: shortString(d.policyVersion, 'decision.policyVersion'),
    allow: d.allow, rules: d.rules.map((r, i) => shortString(r, `decision.rules[${i}]`)),
  };
  if (d.obligations !== undefined) {
    if (!Array.isArray(d.obligations) || d.obligations.length > 64) fail('decision.obligations must be an array (≤ 64)');
    out.obligations = d.obligations.map((o, i) => shortString(o, `decision.obligations[${i}]`));
  }
  return out;
}

function checkShadow(s: AuditShadowDecision): AuditShadowDecision {
  if (typeof s !== 'object' || s === null) fail('shadow must be an object');
  if (typeof s.allow !== 'boolean' || typeof s.changed !== 'boolean') fail('shadow.allow and shadow.changed must be booleans');
  if (!Array.isArray(s.deny) || s.deny.length > 256) fail('shadow.deny must be an array (≤ 256)');
  const out: AuditShadowDecision = {
    version: shortString(s.version, 'shadow.version'), draftId: count(s.draftId, 'shadow.draftId'), allow: s.allow,
    deny: s.deny.map((d, i) => shortString(d, `shadow.deny[${i}]`)), changed: s.changed,
  };
  if (s.error !== undefined) out.error = shortString(s.error, 'shadow.error');
  return out;
}

function checkRequest(r: AuditRequestSummary): AuditRequestSummary {
  const out: AuditRequestSummary = { requestId: shortString(r.requestId, 'request.requestId') };
  if (r.route !== undefined) out.route = shortString(r.route, 'request.route');
  if (r.model !== undefined) out.model = shortString(r.model, 'request.model');
  if (r.endpoint !== undefined) out.endpoint = r.endpoint === null ? null : shortString(r.endpoint, 'request.endpoint');
  if (r.stream !== undefined) out.stream = Boolean(r.stream);
  if (r.status !== undefined) out.status = count(r.status, 'request.status');
  if (r.promptTokens !== undefined) out.promptTokens = count(r.promptTokens, 'request.promptTokens');
  if (r.completionTokens !== undefined) out.completionTokens = count(r.completionTokens, 'request.completionTokens');
  if (r.costUsd !== undefined) {
    if (typeof r.costUsd !== 'number' || !Number.isFinite(r.costUsd) || r.costUsd < 0) fail('request.costUsd must be a finite non-negative number');
    out.costUsd = r.costUsd;
  }
  if (r.latencyMs !== undefined) out.latencyMs = count(Math.round(r.latencyMs), 'request.latencyMs');
  if (r.errorCode !== undefined) out.errorCode = r.errorCode === null ? null : shortString(r.errorCode, 'request.errorCode');
  if (r.attempts !== undefined) out.attempts = count(r.attempts, 'request.attempts');
  return out;
}

function checkPii(pii: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  let n = 0;
  for (const key in pii) {
    if (++n > 128) fail('pii has too many entity types');
    out[shortString(key, 'pii key')] = count(pii[key], `pii.${key}`);
  }
  return out;
}

/**
 * Builds the chained event from caller input: fills id/time, validates every field (bounded
 * sizes, no unknown actor types), and drops raw content. Throws AuditEventError on bad input.
 * Cheap enough for the request path (no JSON round trip, no schema compilation per call).
 */
export function buildAuditEvent(input: AuditEventInput, contentRef?: AuditContentRef): AuditEvent {
  if (typeof input !== 'object' || input === null) fail('event must be an object');
  if (typeof input.type !== 'string' || !TYPE_RE.test(input.type)) fail(`event type "${String(input.type)}" is not a dotted lower-case name`);
  if (!isUuid(input.orgId)) fail('orgId must be a UUID');
  if (input.workspaceId != null && !isUuid(input.workspaceId)) fail('workspaceId must be a UUID or null');
  const id = input.id ?? uuidv7();
  if (!isUuid(id)) fail('id must be a lower-case UUID');
  const event: AuditEvent = {
    v: AUDIT_SCHEMA_VERSION, id, time: toIsoTime(input.time), type: input.type, org: input.orgId,
    workspace: input.workspaceId ?? null, actor: checkActor(input.actor),
  };
  if (input.outcome !== undefined) {
    if (!OUTCOMES.has(input.outcome)) fail('outcome must be success, denied or failure');
    event.outcome = input.outcome;
  }
  if (input.target !== undefined) {
    const t = input.target;
    event.target = { type: shortString(t.type, 'target.type'), id: shortString(t.id, 'target.id') };
    const label = optionalShort(t.label, 'target.label');
    if (label !== undefined) event.target.label = label;
  }
  if (input.decision !== undefined) event.decision = checkDecision(input.decision);
  if (input.shadow !== undefined) event.shadow = checkShadow(input.shadow);
  if (input.request !== undefined) event.request = checkRequest(input.request);
  if (input.pii !== undefined) event.pii = checkPii(input.pii);
  if (input.details !== undefined) {
    if (typeof input.details !== 'object' || input.details === null || Array.isArray(input.details)) fail('details must be an object');
    let size: number;
    try {
      size = canonicalJson(input.details).length;
    } catch (err) {
      fail(`details: ${(err as Error).message}`);
    }
    if (size > MAX_DETAILS_CHARS) fail(`details exceed ${MAX_DETAILS_CHARS} characters`);
    event.details = input.details;
  }
  if (contentRef) event.content = contentRef;
  return event;
}

/** Re-checks an event read back from the queue or spool (it crossed a process boundary). */
export function parseAuditEvent(value: unknown): AuditEvent {
  if (typeof value !== 'object' || value === null) fail('event must be an object');
  const e = value as Record<string, unknown>;
  if (e.v !== AUDIT_SCHEMA_VERSION) fail(`unsupported audit schema version ${String(e.v)}`);
  const rebuilt = buildAuditEvent({
    id: e.id as string, time: e.time as string, type: e.type as string, orgId: e.org as string,
    workspaceId: e.workspace as string | null, actor: e.actor as AuditActor, outcome: e.outcome as AuditOutcome | undefined,
    target: e.target as AuditEvent['target'], decision: e.decision as AuditDecision | undefined,
    shadow: e.shadow as AuditShadowDecision | undefined,
    request: e.request as AuditRequestSummary | undefined, pii: e.pii as Record<string, number> | undefined,
    details: e.details as AuditEvent['details'],
  });
  if (rebuilt.time !== e.time) fail('time must be an ISO-8601 UTC timestamp');
  if (e.content !== undefined) {
    const c = e.content as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || typeof c.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(c.sha256)
      || typeof c.keyId !== 'string' || typeof c.bytes !== 'number') fail('content reference is malformed');
    rebuilt.content = { sha256: c.sha256, keyId: c.keyId, bytes: count(c.bytes, 'content.bytes') };
  }
  return rebuilt;
}
