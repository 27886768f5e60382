import type { AuditEventInput, AuditProducer } from '../audit';
import { GatewayError } from '../http';
import type { Exchange } from './exchange';
import { shadowOutcome } from './shadow-step';

/** What settlement booked; the audit event carries it. */
export interface SettledFigures {
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Refuses to serve what could not be audited: with AUDIT_REQUIRED (the default), a request is
 * turned away with 503 while neither Redis nor the local spool can take its event.
 */
export function requireAuditCapacity(audit: AuditProducer | null): void {
  if (audit && audit.required && !audit.available) {
    throw new GatewayError('The audit log cannot record requests right now, so none are served; retry shortly.', {
      status: 503, type: 'server_error', code: 'audit_unavailable', headers: { 'retry-after': '5' },
    });
  }
}

function eventType(ex: Exchange): string {
  if (ex.decision && !ex.decision.allow) return 'request.decided';
  return ex.status < 400 && !ex.errorCode ? 'request.completed' : 'request.failed';
}

/**
 * One event per authenticated request: the decision that governed it and what happened —
 * endpoint, tokens, cost, status, PII counts (never values, never prompt text).
 */
export function requestAuditEvent(ex: Exchange, settled: SettledFigures | null, attempts: number): AuditEventInput {
  const key = ex.key!;
  const decision = ex.decision;
  const denied = decision !== null && !decision.allow;
  const pii: Record<string, number> = {};
  for (const [t, n] of Object.entries(ex.piiSummary)) pii[t] = n;
  for (const [t, n] of Object.entries(ex.outputPiiSummary)) pii[`output.${t}`] = n;
  return {
    type: eventType(ex),
    orgId: key.orgId,
    workspaceId: key.workspaceId,
    actor: { type: 'api_key', id: key.id, label: key.name },
    outcome: denied || ex.status === 403 ? 'denied' : ex.status < 400 && !ex.errorCode ? 'success' : 'failure',
    decision: decision && ex.decisionId && ex.policyVersion ? {
      id: ex.decisionId, policyVersion: ex.policyVersion, allow: decision.allow,
      rules: decision.deny.map((d) => d.rule || d.code),
      obligations: decision.obligations.storePrompt ? ['store_prompt'] : [],
    } : undefined,
    // The shadow draft's verdict on this request (recorded, never enforced); absent without a shadow.
    shadow: shadowOutcome(ex),
    request: {
      requestId: ex.requestId, route: ex.route, model: ex.model || undefined, endpoint: ex.endpointId, stream: ex.stream,
      status: ex.status, promptTokens: settled?.promptTokens ?? 0, completionTokens: settled?.completionTokens ?? 0,
      costUsd: settled?.costUsd ?? 0, latencyMs: Math.round(performance.now() - ex.started), errorCode: ex.errorCode, attempts,
    },
    pii: Object.keys(pii).length ? pii : undefined,
  };
}
