import type { Pool } from 'pg';
import type { CatalogSnapshot, ModelKind, ModelRoute } from '../../catalog';
import { buildPolicyInput, type PolicyInput } from '../input';

/**
 * Rebuilding policy inputs from request audit events. An event records the decision, the route,
 * model, stream flag, PII counts by type and the key — never prompt text or headers — so a replay
 * evaluates exactly that: the recorded counts, no metadata headers, no max_tokens, and today's
 * catalog as candidates.
 */

export const REPLAY_LIMITATIONS = [
  'prompt text is never stored: PII findings are the counts the event recorded',
  'request headers are not recorded: no x-gatehouse-* metadata headers are replayed',
  'max_tokens is not recorded: replayed as absent',
  "candidates are today's catalog endpoints for the model, not the catalog at the time",
  'only events that reached a policy decision are replayed',
] as const;

export const REQUEST_EVENT_TYPES = ['request.decided', 'request.completed', 'request.failed'] as const;

/** The part of a request audit event a replay reads (src/proxy/audit-step.ts writes it). */
interface RecordedEvent {
  id: string;
  time: string;
  workspace: string | null;
  actor: { type: string; id: string };
  decision?: { allow: boolean; policyVersion: string; rules: string[] };
  request?: { route?: string; model?: string; stream?: boolean };
  pii?: Record<string, number>;
}

export interface ReplayedRequest {
  eventId: string;
  workspaceId: string;
  route: string;
  model: string;
  input: PolicyInput;
  recorded: { allow: boolean; policy_version: string };
  /** What about this event could not be rebuilt as it was. */
  notes: string[];
}

const kindOf = (route: string): ModelKind => (route === 'embeddings' ? 'embeddings' : 'chat');

/**
 * The last `last` request events that reached a decision, newest first, of one workspace (or of
 * every workspace of the organisation when `workspaceId` is null). Scoped by organisation id.
 */
export async function loadRequestEvents(pool: Pool, orgId: string, workspaceId: string | null, last: number): Promise<RecordedEvent[]> {
  const { rows } = await pool.query<{ body: string }>(
    `SELECT body FROM audit_events
      WHERE org_id = $1 AND ($2::uuid IS NULL OR workspace_id = $2::uuid) AND workspace_id IS NOT NULL
        AND type = ANY($3::text[]) AND (body::jsonb) ? 'decision'
      ORDER BY seq DESC LIMIT $4`,
    [orgId, workspaceId, REQUEST_EVENT_TYPES, last]);
  return rows.map((r) => JSON.parse(r.body) as RecordedEvent);
}

/** What replays need to know about the organisation: slugs and key owners (both looked up by org id). */
export interface ReplayDirectory {
  orgSlug: string;
  workspaceSlugs: Map<string, string>;
  keyUsers: Map<string, string | null>;
}

export async function loadReplayDirectory(pool: Pool, orgId: string, orgSlug: string, events: readonly RecordedEvent[]): Promise<ReplayDirectory> {
  const workspaceIds = [...new Set(events.map((e) => e.workspace).filter((w): w is string => w !== null))];
  const keyIds = [...new Set(events.filter((e) => e.actor.type === 'api_key').map((e) => e.actor.id))];
  const [ws, keys] = await Promise.all([
    pool.query<{ id: string; slug: string }>('SELECT id, slug FROM workspaces WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, workspaceIds]),
    pool.query<{ id: string; user_id: string | null }>(
      'SELECT id::text AS id, user_id FROM api_keys WHERE org_id = $1 AND id::text = ANY($2::text[])', [orgId, keyIds]),
  ]);
  return {
    orgSlug,
    workspaceSlugs: new Map(ws.rows.map((r) => [r.id, r.slug])),
    keyUsers: new Map(keys.rows.map((r) => [r.id, r.user_id])),
  };
}

/** Rebuilds the policy input of one recorded request (see REPLAY_LIMITATIONS for what cannot be). */
export function replayInput(event: RecordedEvent, catalog: CatalogSnapshot, dir: ReplayDirectory): ReplayedRequest | null {
  if (!event.decision || !event.workspace || !event.request?.model) return null;
  const route = event.request.route ?? 'chat.completions';
  const model = event.request.model;
  const notes: string[] = [];
  const routes: readonly ModelRoute[] = catalog.routesFor(model).filter((r) => r.kind === kindOf(route));
  if (routes.length === 0) notes.push(`the catalog no longer serves "${model}" for ${route}: no candidate endpoints`);
  const pii: Record<string, number> = {};
  for (const [type, n] of Object.entries(event.pii ?? {})) if (!type.startsWith('output.')) pii[type] = n;
  const workspaceSlug = dir.workspaceSlugs.get(event.workspace);
  if (workspaceSlug === undefined) notes.push('the workspace no longer exists');
  if (!dir.keyUsers.has(event.actor.id)) notes.push('the API key no longer exists: its owner is unknown');
  const input = buildPolicyInput(
    {
      org: dir.orgSlug, workspace: workspaceSlug ?? event.workspace, key_id: event.actor.id,
      user_id: dir.keyUsers.get(event.actor.id) ?? null, roles: [], groups: [],
    },
    { endpoint: route, model, stream: event.request.stream === true, max_tokens: null, headers: {} },
    pii, routes,
  );
  // The policy sees the time of the original request, not the time of the replay.
  const at = Date.parse(event.time);
  if (Number.isFinite(at)) input.time = { now_ns: at * 1e6 };
  return {
    eventId: event.id, workspaceId: event.workspace, route, model, input,
    recorded: { allow: event.decision.allow, policy_version: event.decision.policyVersion }, notes,
  };
}
