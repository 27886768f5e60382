import type { EncryptedContent } from './content-crypto';
import type { AuditEvent } from './schema';

/** Names shared by the producer, the writer and the export jobs. */
export const AUDIT_QUEUE = 'audit-events';
export const AUDIT_EXPORT_QUEUE = 'audit-exports';

/** BullMQ key prefix under the gateway's Redis prefix (e.g. "gh:" → "gh:bull"). */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

/** What travels through the queue and the spool: the event and, apart from it, encrypted content. */
export interface AuditEnvelope {
  e: AuditEvent;
  c?: EncryptedContent;
}

/** A job's data: one envelope, or a batch of them (`b`) sent together by one producer flush. */
export type AuditJobData = AuditEnvelope | { b: AuditEnvelope[] };
