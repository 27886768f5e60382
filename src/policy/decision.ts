import type { PiiActionMap } from '../pii';

export interface DenyReason {
  code: string;
  message: string;
  rule: string;
}

/** `data.gateway.decision` as the gateway uses it. */
export interface GatewayDecision {
  allow: boolean;
  deny: DenyReason[];
  piiActions: PiiActionMap;
  outputPiiActions: PiiActionMap;
  allowedEndpoints: string[];
  excluded: Record<string, string[]>;
  routing: { sort: string };
  obligations: { storePrompt: boolean; maxTokens: number | null };
}

export class DecisionShapeError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Reads the policy's output defensively: a custom policy that returns a malformed decision
 * must fail closed (deny), never be read as "allow".
 */
export function readDecision(raw: unknown): GatewayDecision {
  if (!isObj(raw)) throw new DecisionShapeError('the policy produced no decision object (data.gateway.decision is undefined)');
  if (typeof raw.allow !== 'boolean') throw new DecisionShapeError('decision.allow must be a boolean');
  const deny = Array.isArray(raw.deny) ? raw.deny.filter(isObj).map((d) => ({
    code: String(d.code ?? 'denied'), message: String(d.message ?? 'denied by policy'), rule: String(d.rule ?? ''),
  })) : [];
  const excluded: Record<string, string[]> = {};
  if (isObj(raw.excluded)) for (const [id, reasons] of Object.entries(raw.excluded)) excluded[id] = strings(reasons);
  const obligations = isObj(raw.obligations) ? raw.obligations : {};
  return {
    // A decision listing reasons to deny is a denial, whatever `allow` says.
    allow: raw.allow && deny.length === 0,
    deny,
    piiActions: (isObj(raw.pii_actions) ? raw.pii_actions : {}) as PiiActionMap,
    outputPiiActions: (isObj(raw.output_pii_actions) ? raw.output_pii_actions : {}) as PiiActionMap,
    allowedEndpoints: strings(raw.allowed_endpoints),
    excluded,
    routing: { sort: isObj(raw.routing) && typeof raw.routing.sort === 'string' ? raw.routing.sort : 'priority' },
    obligations: {
      storePrompt: obligations.store_prompt === true,
      maxTokens: typeof obligations.max_tokens === 'number' ? obligations.max_tokens : null,
    },
  };
}
