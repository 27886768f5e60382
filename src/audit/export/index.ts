/** Compliance exports (JSONL, CSV, OCSF) with signed manifests, and their offline verification. */
export { exportAuditLog, ExportError, type ExportOptions } from './exporter';
export { verifyExportFile, type VerifyExportOptions, type VerifyExportResult } from './verify-export';
export { manifestPathFor, type ExportManifest, type SignedManifest, type ExportFilter, type ExportChainSummary } from './manifest';
export { EXPORT_FORMATS, decodeRecord, encodeRecord, type ExportFormat, type ExportRecord } from './records';
