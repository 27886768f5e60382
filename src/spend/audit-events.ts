import type { AuditEventInput } from '../audit';
import type { SpendEvent } from './events';

/** A spend event as an audit event (alerts, expired reservations, unverified spend), for the chained log. */
export function spendAuditEvent(event: SpendEvent): AuditEventInput {
  const system = { type: 'system' as const, id: 'spend-guard', label: 'Gatehouse spend guard' };
  switch (event.type) {
    case 'spend.alert':
      return {
        type: 'spend.alert', time: event.at, orgId: event.subject.orgId, workspaceId: event.subject.workspaceId, actor: system,
        target: { type: `cap.${event.scope}`, id: event.scopeId },
        details: {
          window: event.window, window_id: event.windowId, unit: event.unit, threshold: event.threshold, spent: event.spent,
          limit: event.limit, hard: event.hard, source: event.source, resets_at: event.resetsAt,
        },
      };
    case 'spend.reservation_expired': {
      const r = event.reservation;
      return {
        type: 'spend.reservation_expired', time: event.at, orgId: r.orgId, workspaceId: r.workspaceId, actor: system,
        target: { type: 'reservation', id: r.id },
        details: { request_id: r.requestId, estimated_usd: r.estimatedUsd, model: r.model },
      };
    }
    case 'spend.unverified':
      return {
        type: 'spend.unverified', time: event.at, orgId: event.subject.orgId, workspaceId: event.subject.workspaceId, actor: system,
        outcome: event.failOpen ? 'success' : 'denied',
        details: { fail_open: event.failOpen, reason: event.reason, request_id: event.requestId },
      };
  }
}
