import type { AuditActor, AuditEventInput, AuditProducer } from '../audit';
import type { Principal } from '../authz';
import type { Logger } from '../logger';

/**
 * Where admin-plane events go: the audit producer of src/audit (its `emit` has this exact shape).
 * Until the composition root hands one in, events are written to the log so nothing is silent.
 */
export type AuditSink = Pick<AuditProducer, 'emit'>;

export function loggingAuditSink(logger: Logger): AuditSink {
  return {
    async emit(event: AuditEventInput): Promise<void> {
      logger.info({ audit: event }, `audit ${event.type}`);
    },
  };
}

export function actorOf(principal: Principal): AuditActor {
  if (principal.token) return { type: 'api_key', id: principal.token.id, label: `admin token of ${principal.label}` };
  return { type: 'user', id: principal.id, label: principal.label };
}

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: 'admin-plane' };
