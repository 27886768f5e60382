import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import type { Pool } from 'pg';
import { createRedis } from '../db';
import { EXPORT_FORMATS, type ExportFilter, type ExportFormat, type SignedManifest } from './export';
import { recordAuditEvent, runAuditedExport, SYSTEM_ORG } from './operations';
import type { AuditLogger } from './producer';
import { AUDIT_EXPORT_QUEUE, bullPrefix } from './queue';
import type { AuditActor } from './schema';
import type { AuditSigner } from './signing';

/**
 * Large exports as background BullMQ jobs: the request is recorded (audit_exports row and an
 * `export.requested` event), a worker streams the file into the export directory reporting
 * progress, and the finished file and its signed manifest are listed on the row.
 */

export interface ExportJobRequest {
  requestedBy: AuditActor;
  format: ExportFormat;
  filter: ExportFilter;
}

export interface ExportJobStatus {
  id: string;
  orgId: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  format: ExportFormat;
  filter: ExportFilter;
  filePath: string | null;
  manifest: SignedManifest | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ExportJobs {
  request(req: ExportJobRequest): Promise<ExportJobStatus>;
  status(id: string): Promise<ExportJobStatus | null>;
  close(): Promise<void>;
}

interface ExportJobData { id: string; format: ExportFormat; filter: ExportFilter; actor: AuditActor }

interface ExportRow {
  id: string; org_id: string | null; status: ExportJobStatus['status']; progress: number; format: ExportFormat; filter: ExportFilter;
  file_path: string | null; manifest: SignedManifest | null; error: string | null; created_at: Date; finished_at: Date | null;
}

function toStatus(r: ExportRow): ExportJobStatus {
  return {
    id: r.id, orgId: r.org_id, status: r.status, progress: r.progress, format: r.format, filter: r.filter, filePath: r.file_path,
    manifest: r.manifest, error: r.error, createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

export async function getExportStatus(pool: Pool, id: string): Promise<ExportJobStatus | null> {
  const { rows } = await pool.query<ExportRow>('SELECT id::text, org_id::text, status, progress, format, filter, file_path, manifest, error, created_at, finished_at FROM audit_exports WHERE id = $1', [id]);
  return rows.length ? toStatus(rows[0]) : null;
}

export async function createExportJobs(opts: { pool: Pool; redisUrl: string; prefix: string }): Promise<ExportJobs> {
  const redis = createRedis(opts.redisUrl);
  const queue = new Queue<ExportJobData>(AUDIT_EXPORT_QUEUE, { connection: redis, prefix: bullPrefix(opts.prefix) });
  queue.on('error', () => undefined);
  return {
    async request(req) {
      if (!EXPORT_FORMATS.includes(req.format)) throw new Error(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
      const id = randomUUID();
      const filter = Object.fromEntries(Object.entries(req.filter).filter(([, v]) => v !== undefined)) as ExportFilter;
      await opts.pool.query(
        "INSERT INTO audit_exports (id, org_id, requested_by, format, filter, status) VALUES ($1, $2, $3, $4, $5, 'queued')",
        [id, filter.org ?? null, `${req.requestedBy.type}:${req.requestedBy.id}`, req.format, filter],
      );
      await recordAuditEvent(opts.pool, {
        type: 'export.requested', orgId: filter.org ?? SYSTEM_ORG, actor: req.requestedBy, target: { type: 'audit_export', id },
        details: { format: req.format, filter: filter as Record<string, string | number> },
      });
      await queue.add('export', { id, format: req.format, filter, actor: req.requestedBy }, { jobId: id, removeOnComplete: 1000, removeOnFail: 1000 });
      return (await getExportStatus(opts.pool, id))!;
    },
    status: (id) => getExportStatus(opts.pool, id),
    async close() {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

export interface ExportWorkerOptions {
  pool: Pool;
  redisUrl: string;
  prefix: string;
  exportDir: string;
  signer: AuditSigner | null;
  logger?: AuditLogger;
}

export async function startExportWorker(opts: ExportWorkerOptions): Promise<{ close(): Promise<void> }> {
  await mkdir(opts.exportDir, { recursive: true });
  const connection = createRedis(opts.redisUrl, { maxRetriesPerRequest: null });
  const process = async (job: Job<ExportJobData>): Promise<void> => {
    const { id, format, filter, actor } = job.data;
    const out = path.join(opts.exportDir, `audit-export-${id}.${format}`);
    await opts.pool.query("UPDATE audit_exports SET status = 'running' WHERE id = $1", [id]);
    let lastReport = 0;
    try {
      const signed = await runAuditedExport(opts.pool, {
        format, out, filter, actor, signer: opts.signer, exportId: id,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - lastReport < 500) return;
          lastReport = now;
          const ratio = total > 0 ? done / total : 1;
          void job.updateProgress(Math.round(ratio * 100)).catch(() => undefined);
          void opts.pool.query('UPDATE audit_exports SET progress = $2 WHERE id = $1', [id, ratio]).catch(() => undefined);
        },
      });
      await opts.pool.query(
        "UPDATE audit_exports SET status = 'done', progress = 1, file_path = $2, manifest = $3, finished_at = now() WHERE id = $1",
        [id, out, signed],
      );
      await job.updateProgress(100);
    } catch (err) {
      opts.logger?.error({ err, exportId: id }, 'audit export failed');
      await opts.pool.query("UPDATE audit_exports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", [id, (err as Error).message.slice(0, 1000)]);
      throw err;
    }
  };
  const worker = new Worker<ExportJobData>(AUDIT_EXPORT_QUEUE, process, { connection, prefix: bullPrefix(opts.prefix), concurrency: 1 });
  worker.on('error', (err) => opts.logger?.warn({ err }, 'audit export worker error'));
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
