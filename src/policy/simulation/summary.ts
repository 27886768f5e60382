import type { PiiAction, PiiActionMap } from '../../pii';
import { PolicyEvalError, type PreparedPolicy } from '../engine';
import { DecisionShapeError, readDecision, type GatewayDecision } from '../decision';
import { DECISION_ENTRYPOINT } from '../builtin';
import type { PolicyInput } from '../input';

/** What a simulation shows of one decision (the admin API's `DecisionSummary`). */
export interface DecisionSummary {
  allow: boolean;
  deny: Array<{ code: string; message: string }>;
  pii_actions: Record<string, PiiAction>;
  allowed_endpoints: string[];
}

/** What differs between two summaries. */
export type DecisionChange = 'allow' | 'deny' | 'pii_actions' | 'allowed_endpoints';

// Same lookup as the PII operators (src/pii/operators/apply.ts): exact type, then '*', else allow.
const actionFor = (actions: PiiActionMap, type: string): PiiAction => actions[type] ?? actions['*'] ?? 'allow';

/**
 * The outcome the gateway would enforce (src/proxy/governance.ts), not only what the policy
 * says: a finding whose action is `block` and a decision that leaves no candidate endpoint are
 * denials there too, even when a custom policy forgot to say so.
 */
export function summarize(decision: GatewayDecision, input: Pick<PolicyInput, 'pii' | 'candidates'>): DecisionSummary {
  const deny = decision.deny.map((d) => ({ code: d.code, message: d.message }));
  const candidateIds = new Set(input.candidates.map((c) => c.id));
  const allowed = decision.allowedEndpoints.filter((id) => candidateIds.has(id) && !decision.excluded[id]);
  let allow = decision.allow;
  if (allow) {
    const blocked = Object.keys(input.pii.input).filter((t) => input.pii.input[t] > 0 && actionFor(decision.piiActions, t) === 'block');
    for (const t of blocked) deny.push({ code: 'pii_blocked', message: `the prompt contains ${t}, which this workspace blocks` });
    if (blocked.length === 0 && allowed.length === 0) {
      deny.push({ code: 'no_allowed_endpoint', message: 'no endpoint allowed by policy can serve this model' });
    }
    allow = deny.length === 0;
  }
  return { allow, deny, pii_actions: { ...decision.piiActions }, allowed_endpoints: allowed };
}

/**
 * Evaluates one policy on one input. A policy that cannot decide fails closed, as in the
 * gateway (the request would not be sent): a denial with code `policy_error`.
 */
export function evaluateSummary(policy: PreparedPolicy, input: PolicyInput): DecisionSummary {
  let decision: GatewayDecision;
  try {
    decision = readDecision(policy.evaluate(DECISION_ENTRYPOINT, input));
  } catch (err) {
    const message = err instanceof PolicyEvalError || err instanceof DecisionShapeError ? err.message : `evaluation failed: ${(err as Error).message}`;
    return { allow: false, deny: [{ code: 'policy_error', message }], pii_actions: {}, allowed_endpoints: [] };
  }
  return summarize(decision, input);
}

const sortedCodes = (s: DecisionSummary): string => [...new Set(s.deny.map((d) => d.code))].sort().join('\n');

/**
 * Which parts differ; deny messages are ignored (they may embed data that does not change the
 * outcome). PII actions are compared for the types found in the request (`found`): a change of the
 * action for a type the request does not contain changes nothing for it. Without `found`, whole maps.
 */
export function compareSummaries(before: DecisionSummary, after: DecisionSummary, found?: Readonly<Record<string, number>>): DecisionChange[] {
  const changes: DecisionChange[] = [];
  if (before.allow !== after.allow) changes.push('allow');
  if (sortedCodes(before) !== sortedCodes(after)) changes.push('deny');
  const types = found ? Object.keys(found).filter((t) => found[t] > 0) : [...new Set([...Object.keys(before.pii_actions), ...Object.keys(after.pii_actions)])];
  const actionOf = (s: DecisionSummary, t: string): PiiAction => (found ? actionFor(s.pii_actions, t) : s.pii_actions[t]);
  if (types.some((t) => actionOf(before, t) !== actionOf(after, t))) changes.push('pii_actions');
  // Order matters: it is the failover order the gateway follows.
  if (before.allowed_endpoints.join('\n') !== after.allowed_endpoints.join('\n')) changes.push('allowed_endpoints');
  return changes;
}
