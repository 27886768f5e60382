/**
 * The immutable audit log: event schema, the producer the request path calls, the writer that
 * chains events into PostgreSQL, signed checkpoints, verification, exports and sealing.
 * How the composition root wires it in: src/audit/README.md.
 */
export {
  AUDIT_SCHEMA_VERSION, AUDIT_EVENT_TYPES, AuditEventError, buildAuditEvent, parseAuditEvent,
  type AuditEvent, type AuditEventInput, type AuditActor, type ActorType, type AuditOutcome, type AuditDecision,
  type AuditRequestSummary, type AuditContentInput, type AuditContentRef, type KnownAuditEventType, type JsonValue,
} from './schema';
export { loadAuditConfig, type AuditConfig } from './config';
export {
  createAuditProducer, AuditUnavailableError,
  type AuditProducer, type AuditProducerOptions, type AuditProducerStats, type AuditLogger,
} from './producer';
export { startAuditWriter, type AuditWriter, type AuditWriterOptions, type AuditWriterStats } from './writer';
export { appendEvents, prepareEvent, type PreparedEvent, type AppendResult } from './store';
export { verifyAuditLog, type VerifyOptions, type VerifyReport, type ChainProblem, type ChainSummary } from './verify';
export {
  createSigner, loadPublicKey, generateSigningKeyPem, SigningKeyError, type AuditSigner, type AuditPublicKey,
} from './signing';
export { createContentCipher, type ContentCipher, type EncryptedContent } from './content-crypto';
export { canonicalJson, CanonicalJsonError } from './canonical-json';
export { uuidv7, isUuid } from './uuidv7';
export { GENESIS_HASH, chainHash } from './chain';
export {
  exportAuditLog, verifyExportFile, manifestPathFor, ExportError, EXPORT_FORMATS,
  type ExportOptions, type VerifyExportOptions, type VerifyExportResult, type ExportManifest, type SignedManifest,
  type ExportFilter, type ExportFormat,
} from './export';
export {
  recordAuditEvent, runAuditedExport, sealAndArchive, SealError, SYSTEM_ORG,
  type AuditedExportOptions, type SealOptions, type SealResult,
} from './operations';
export { registerSigningKey, writeCheckpoint, listCheckpoints, type CheckpointRecord } from './checkpoints';
export { searchAuditEvents, AuditSearchError, type AuditSearchQuery, type AuditSearchPage, type AuditSearchHit } from './search';
export {
  createExportJobs, startExportWorker, getExportStatus,
  type ExportJobs, type ExportJobRequest, type ExportJobStatus, type ExportWorkerOptions,
} from './jobs';
export { createAuditAdminRouter, type AuditAdminRouterOptions, type AuditAdminAccess } from './admin-router';
