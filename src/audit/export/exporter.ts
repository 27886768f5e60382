import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { listCheckpoints } from '../checkpoints';
import type { AuditSigner } from '../signing';
import { isUuid } from '../uuidv7';
import { manifestPathFor, type ExportChainSummary, type ExportFilter, type ExportManifest, type SignedManifest } from './manifest';
import { csvHeader, encodeRecord, type ExportFormat, EXPORT_FORMATS } from './records';

/**
 * Streams the audit log to a file in constant memory: each chain is read in keyset pages
 * (org, seq), encoded, written with back-pressure and hashed on the way. The file is written
 * under a temporary name and renamed when complete, then a signed manifest is written next to
 * it (FILE.manifest.json).
 */

export interface ExportOptions {
  format: ExportFormat;
  out: string;
  filter?: ExportFilter;
  signer?: AuditSigner | null;
  pageSize?: number;
  /** Called after each page with (records written, total expected). */
  onProgress?: (done: number, total: number) => void;
  exportId?: string;
}

export class ExportError extends Error {}

const TYPE_FILTER_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

function validateFilter(filter: ExportFilter): void {
  if (filter.org !== undefined && !isUuid(filter.org)) throw new ExportError('--org must be an organisation UUID');
  for (const key of ['from', 'to'] as const) {
    const v = filter[key];
    if (v !== undefined && Number.isNaN(Date.parse(v))) throw new ExportError(`--${key} is not a valid date: ${v}`);
  }
  for (const key of ['fromSeq', 'toSeq'] as const) {
    const v = filter[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new ExportError(`${key} must be a positive integer`);
  }
  if (filter.type !== undefined && !TYPE_FILTER_RE.test(filter.type)) throw new ExportError(`--type must be an event type or a prefix like "policy.*", got ${filter.type}`);
}

/** SQL conditions for the filter (besides org), numbered from $3. */
function conditions(filter: ExportFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.from) {
    params.push(new Date(filter.from));
    parts.push(`occurred_at >= $${params.length + 2}`);
  }
  if (filter.to) {
    params.push(new Date(filter.to));
    parts.push(`occurred_at < $${params.length + 2}`);
  }
  if (filter.fromSeq !== undefined) {
    params.push(filter.fromSeq);
    parts.push(`seq >= $${params.length + 2}`);
  }
  if (filter.toSeq !== undefined) {
    params.push(filter.toSeq);
    parts.push(`seq <= $${params.length + 2}`);
  }
  if (filter.type) {
    if (filter.type.endsWith('.*')) {
      params.push(filter.type.slice(0, -1)); // "policy." — type is COLLATE "C" so LIKE uses the index
      parts.push(`type LIKE $${params.length + 2} || '%'`);
    } else {
      params.push(filter.type);
      parts.push(`type = $${params.length + 2}`);
    }
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

async function orgsToExport(pool: Pool, filter: ExportFilter): Promise<string[]> {
  if (filter.org) return [filter.org];
  const { rows } = await pool.query<{ org: string }>(`
    WITH RECURSIVE o AS (
      (SELECT org_id FROM audit_events ORDER BY org_id LIMIT 1)
      UNION ALL
      SELECT (SELECT e.org_id FROM audit_events e WHERE e.org_id > o.org_id ORDER BY e.org_id LIMIT 1) FROM o WHERE o.org_id IS NOT NULL
    ) SELECT org_id::text AS org FROM o WHERE org_id IS NOT NULL`);
  return rows.map((r) => r.org);
}

/** A file writer that respects back-pressure and surfaces stream errors on the next write. */
class FileSink {
  private failure: Error | null = null;
  private waiting: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(private readonly stream: WriteStream) {
    stream.on('error', (err) => {
      this.failure = err;
      this.waiting?.reject(err);
      this.waiting = null;
    });
    stream.on('drain', () => {
      this.waiting?.resolve();
      this.waiting = null;
    });
  }

  write(chunk: string): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.stream.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  end(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

interface Row { seq: string; occurred_at: Date; body: string; prev_hash: Buffer; hash: Buffer }

export async function exportAuditLog(pool: Pool, options: ExportOptions): Promise<SignedManifest> {
  const filter = options.filter ?? {};
  if (!EXPORT_FORMATS.includes(options.format)) throw new ExportError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  validateFilter(filter);
  const cond = conditions(filter);
  const contiguous = !filter.from && !filter.to && !filter.type;
  const orgs = await orgsToExport(pool, filter);
  const totalRows = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM audit_events WHERE org_id = ANY($1::uuid[]) AND $2::int IS NULL${cond.sql}`, [orgs, null, ...cond.params]);
  const total = Number(totalRows.rows[0].n);

  const tmp = `${options.out}.partial-${process.pid}`;
  const handle = await open(tmp, 'w'); // fails here (not later, asynchronously) on a bad path
  const stream = createWriteStream('', { fd: handle, encoding: 'utf8' });
  const sink = new FileSink(stream);
  const sha = createHash('sha256');
  let bytes = 0;
  const emit = async (chunk: string): Promise<void> => {
    sha.update(chunk, 'utf8');
    bytes += Buffer.byteLength(chunk, 'utf8');
    await sink.write(chunk);
  };
  const pageSize = options.pageSize ?? 2_000;
  const chains: ExportChainSummary[] = [];
  const checkpoints: ExportManifest['checkpoints'] = [];
  let n = 0;
  let firstTime: string | null = null;
  let lastTime: string | null = null;
  try {
    if (options.format === 'csv') await emit(csvHeader());
    for (const org of orgs) {
      let after = 0;
      let chain: ExportChainSummary | null = null;
      for (;;) {
        const { rows } = await pool.query<Row>(
          `SELECT seq, occurred_at, body, prev_hash, hash FROM audit_events
            WHERE org_id = $1 AND seq > $2${cond.sql} ORDER BY seq LIMIT ${pageSize}`,
          [org, after, ...cond.params],
        );
        for (const row of rows) {
          n += 1;
          const seq = Number(row.seq);
          const record = { n, org, seq, prevHash: row.prev_hash.toString('hex'), hash: row.hash.toString('hex'), body: row.body };
          await emit(encodeRecord(options.format, record));
          chain ??= { org, count: 0, first: { seq, prevHash: record.prevHash, hash: record.hash }, last: { seq, hash: record.hash }, contiguous };
          chain.count += 1;
          chain.last = { seq, hash: record.hash };
          const time = row.occurred_at.toISOString();
          if (firstTime === null || time < firstTime) firstTime = time;
          if (lastTime === null || time > lastTime) lastTime = time;
        }
        options.onProgress?.(n, Math.max(total, n));
        if (rows.length < pageSize) break;
        after = Number(rows[rows.length - 1].seq);
      }
      if (chain) {
        chains.push(chain);
        checkpoints.push(...await listCheckpoints(pool, org, chain.first.seq, chain.last.seq));
      }
    }
    await sink.end();
    await rename(tmp, options.out);
  } catch (err) {
    stream.destroy();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }

  const signer = options.signer ?? null;
  const manifest: ExportManifest = {
    kind: 'gatehouse.audit.export', v: 1, exportId: options.exportId ?? randomUUID(), format: options.format,
    file: path.basename(options.out), sha256: sha.digest('hex'), bytes, count: n, filter,
    timeRange: firstTime && lastTime ? { first: firstTime, last: lastTime } : null,
    chains, checkpoints, createdAt: new Date().toISOString(),
    keyId: signer?.keyId ?? null, publicKey: signer?.publicKeyPem ?? null,
  };
  const signed: SignedManifest = { manifest, signature: signer ? signer.sign(manifest) : null };
  await writeFile(manifestPathFor(options.out), JSON.stringify(signed, null, 2) + '\n');
  return signed;
}
