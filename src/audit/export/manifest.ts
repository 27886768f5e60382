import type { CheckpointRecord } from '../checkpoints';
import type { ExportFormat } from './records';

/** The signed description of an export file: what it holds and how to check it offline. */

export interface ExportFilter {
  org?: string;
  /** ISO times: events with from ≤ time < to. */
  from?: string;
  to?: string;
  /** Exact type, or a prefix ending in ".*" (e.g. "policy.*"). */
  type?: string;
  /** Chain positions (inclusive); used by seal-and-archive. */
  fromSeq?: number;
  toSeq?: number;
}

export interface ExportChainSummary {
  org: string;
  count: number;
  first: { seq: number; prevHash: string; hash: string };
  last: { seq: number; hash: string };
  /** True when the filter keeps every row of the range, so consecutive records must link. */
  contiguous: boolean;
}

export interface ExportManifest {
  kind: 'gatehouse.audit.export';
  v: 1;
  exportId: string;
  format: ExportFormat;
  file: string;
  sha256: string;
  bytes: number;
  count: number;
  filter: ExportFilter;
  timeRange: { first: string; last: string } | null;
  chains: ExportChainSummary[];
  /** Signed chain heads that fall inside the exported ranges. */
  checkpoints: CheckpointRecord[];
  createdAt: string;
  /** Key that signed the manifest (null: unsigned) and its public half, for convenience only — pin it. */
  keyId: string | null;
  publicKey: string | null;
}

export interface SignedManifest {
  manifest: ExportManifest;
  signature: string | null;
}

export function manifestPathFor(file: string): string {
  return `${file}.manifest.json`;
}
