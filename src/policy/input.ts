import type { ModelRoute } from '../catalog';

/** Who is asking (never secrets). */
export interface PolicyPrincipal {
  org: string;
  workspace: string;
  key_id: string;
  user_id: string | null;
  roles: string[];
  groups: string[];
}

export interface PolicyRequestSummary {
  /** Data-plane route: chat.completions, messages, embeddings. */
  endpoint: string;
  model: string;
  stream: boolean;
  max_tokens: number | null;
  /** Only x-gatehouse-* headers (request metadata such as x-gatehouse-purpose). */
  headers: Record<string, string>;
}

export interface PolicyInput {
  principal: PolicyPrincipal;
  request: PolicyRequestSummary;
  /** Findings by type → count; never raw values. */
  pii: { input: Record<string, number> };
  candidates: PolicyCandidate[];
  spend: Record<string, unknown>;
  time: { now_ns: number };
}

export interface PolicyCandidate {
  id: string;
  provider: string;
  jurisdiction: string | null;
  data_regions: string[] | null;
  zero_data_retention: boolean | null;
  trains_on_data: boolean | null;
  retention_days: number | null;
  certifications: string[] | null;
  priority: number;
  price: { input: number; output: number } | null;
}

// Candidate objects depend only on the catalog snapshot, so they are built once per route, and
// frozen: the decision cache (./decision-cache) serialises a frozen candidate once, not per request.
const candidateCache = new WeakMap<ModelRoute, PolicyCandidate>();
const frozenList = (list: string[] | null): string[] | null => (list === null ? null : Object.freeze([...list]) as string[]);

export function candidateOf(route: ModelRoute): PolicyCandidate {
  let c = candidateCache.get(route);
  if (!c) {
    const g = route.endpoint.governance;
    const p = route.pricing;
    c = Object.freeze({
      id: route.endpoint.id, provider: route.endpoint.provider, jurisdiction: g.jurisdiction, data_regions: frozenList(g.dataRegions),
      zero_data_retention: g.zeroDataRetention, trains_on_data: g.trainsOnData, retention_days: g.retentionDays,
      certifications: frozenList(g.certifications), priority: route.endpoint.priority,
      price: p.inputPerMTok === null || p.outputPerMTok === null ? null : Object.freeze({ input: p.inputPerMTok, output: p.outputPerMTok }),
    });
    candidateCache.set(route, c);
  }
  return c;
}

/** The x-gatehouse-* request headers, lower-cased, as policy metadata. */
export function metadataHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (name.startsWith('x-gatehouse-')) {
      const v = headers[name];
      out[name] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    }
  }
  return out;
}

export function buildPolicyInput(
  principal: PolicyPrincipal, request: PolicyRequestSummary, piiSummary: Record<string, number>,
  routes: readonly ModelRoute[], spend: Record<string, unknown> = {},
): PolicyInput {
  return {
    principal, request, pii: { input: piiSummary }, candidates: routes.map(candidateOf), spend,
    time: { now_ns: Date.now() * 1e6 },
  };
}
