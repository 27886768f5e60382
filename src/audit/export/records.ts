import { canonicalJson } from '../canonical-json';

/**
 * One exported audit row in each file format, and back. Every format carries the chain proof
 * of its row — org, seq, prev_hash, hash and the exact canonical body that was hashed — plus
 * `n`, the record's ordinal in the file, so an offline verifier can name a removed, reordered
 * or altered line without the database.
 */

export type ExportFormat = 'jsonl' | 'csv' | 'ocsf';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv', 'ocsf'];

export interface ExportRecord {
  n: number;
  org: string;
  seq: number;
  prevHash: string;
  hash: string;
  /** Canonical JSON of the event, exactly as hashed. */
  body: string;
}

export class ExportRecordError extends Error {}

export const CSV_COLUMNS = ['n', 'org_id', 'seq', 'id', 'time', 'type', 'workspace_id', 'actor_type', 'actor_id', 'outcome', 'prev_hash', 'hash', 'event'] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Splits one CSV line (RFC 4180 quoting; our fields never contain raw newlines). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new ExportRecordError('unterminated quoted field');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
    } else {
      const comma = line.indexOf(',', i);
      out.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return out;
    if (line[i] !== ',') throw new ExportRecordError('garbage after a quoted field');
    i += 1;
  }
}

interface BodyFields {
  id: string; time: string; type: string; workspace: string | null;
  actor: { type: string; id: string; label?: string }; outcome?: string;
  request?: { model?: string; status?: number; requestId?: string; endpoint?: string | null };
  decision?: { allow: boolean; policyVersion: string };
  target?: { type: string; id: string };
}

// OCSF 1.x classes: API Activity (6003) for data-plane requests, Account Change (3001) for keys
// and members, Authentication (3002) for SSO, Entity Management (3004) for everything else.
function ocsfClass(type: string): { class_uid: number; class_name: string; category_uid: number; category_name: string } {
  if (type.startsWith('request.')) return { class_uid: 6003, class_name: 'API Activity', category_uid: 6, category_name: 'Application Activity' };
  if (type.startsWith('sso.')) return { class_uid: 3002, class_name: 'Authentication', category_uid: 3, category_name: 'Identity & Access Management' };
  if (type.startsWith('key.') || type.startsWith('member.')) return { class_uid: 3001, class_name: 'Account Change', category_uid: 3, category_name: 'Identity & Access Management' };
  return { class_uid: 3004, class_name: 'Entity Management', category_uid: 3, category_name: 'Identity & Access Management' };
}

function ocsfRecord(r: ExportRecord, e: BodyFields): object {
  const cls = ocsfClass(e.type);
  const activity = e.type.endsWith('.created') || e.type.endsWith('.added') ? 1 : e.type.endsWith('.deleted') || e.type.endsWith('.removed') || e.type.endsWith('.revoked') ? 4 : 99;
  const status = e.outcome === 'success' ? 1 : e.outcome ? 2 : 0;
  return {
    ...cls,
    activity_id: activity,
    type_uid: cls.class_uid * 100 + activity,
    time: Date.parse(e.time),
    severity_id: e.outcome === 'denied' || e.outcome === 'failure' ? 3 : 1,
    status_id: status,
    status: e.outcome ?? 'unknown',
    message: e.type,
    actor: { user: { uid: e.actor.id, type: e.actor.type, name: e.actor.label } },
    ...(e.request ? { api: { operation: e.type, request: { uid: e.request.requestId } }, http_response: e.request.status ? { code: e.request.status } : undefined } : {}),
    metadata: { uid: e.id, version: '1.1.0', product: { name: 'Gatehouse', vendor_name: 'Gatehouse' }, tenant_uid: r.org, log_name: 'audit' },
    unmapped: { gatehouse: { n: r.n, org: r.org, seq: r.seq, prev_hash: r.prevHash, hash: r.hash, event: r.body } },
  };
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

/** The record as it appears in the file, newline included. */
export function encodeRecord(format: ExportFormat, r: ExportRecord): string {
  if (format === 'jsonl') {
    return `{"n":${r.n},"org":"${r.org}","seq":${r.seq},"prev_hash":"${r.prevHash}","hash":"${r.hash}","event":${r.body}}\n`;
  }
  const e = JSON.parse(r.body) as BodyFields;
  if (format === 'csv') {
    const cells = [String(r.n), r.org, String(r.seq), e.id, e.time, e.type, e.workspace ?? '', e.actor.type, e.actor.id, e.outcome ?? '', r.prevHash, r.hash, r.body];
    return cells.map(csvField).join(',') + '\n';
  }
  return JSON.stringify(ocsfRecord(r, e)) + '\n';
}

function asRecord(n: unknown, org: unknown, seq: unknown, prevHash: unknown, hash: unknown, body: unknown): ExportRecord {
  if (typeof n !== 'number' || typeof org !== 'string' || typeof seq !== 'number' || typeof prevHash !== 'string'
    || typeof hash !== 'string' || typeof body !== 'string') throw new ExportRecordError('record lacks its chain proof');
  return { n, org, seq, prevHash, hash, body };
}

/** Parses one line of an export back to its proof. Throws ExportRecordError on a malformed line. */
export function decodeRecord(format: ExportFormat, line: string): ExportRecord {
  if (format === 'csv') {
    const cells = parseCsvLine(line);
    if (cells.length !== CSV_COLUMNS.length) throw new ExportRecordError(`expected ${CSV_COLUMNS.length} CSV fields, found ${cells.length}`);
    return asRecord(Number(cells[0]), cells[1], Number(cells[2]), cells[10], cells[11], cells[12]);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new ExportRecordError('not valid JSON');
  }
  if (format === 'jsonl') {
    if (typeof parsed.event !== 'object' || parsed.event === null) throw new ExportRecordError('record has no event');
    return asRecord(parsed.n, parsed.org, parsed.seq, parsed.prev_hash, parsed.hash, canonicalJson(parsed.event));
  }
  const g = ((parsed.unmapped as Record<string, unknown> | undefined)?.gatehouse ?? {}) as Record<string, unknown>;
  return asRecord(g.n, g.org, g.seq, g.prev_hash, g.hash, g.event);
}
