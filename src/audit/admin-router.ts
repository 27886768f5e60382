import { createReadStream } from 'node:fs';
import { Router, json, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { EXPORT_FORMATS, ExportError, type ExportFormat } from './export';
import type { ExportJobs, ExportJobStatus } from './jobs';
import type { AuditActor, AuditOutcome } from './schema';
import { AuditSearchError, searchAuditEvents } from './search';
import type { AuditSigner } from './signing';
import { verifyAuditLog } from './verify';

/**
 * The audit part of the admin API (mounted by the admin module, e.g. under /admin/audit).
 * Who may call it is decided by `authorize` (the admin/authz module: auditor or admin role);
 * every route is scoped to the organisation it returns.
 *
 *   GET  /events?from&to&type&actor&workspace&outcome&limit&cursor   search, newest first
 *   POST /exports {format, from?, to?, type?}                         background export → 202
 *   GET  /exports/:id   · /exports/:id/file   · /exports/:id/manifest
 *   GET  /verify                                                       verify this org's chain
 *   GET  /public-key                                                   signing key (PEM)
 */

export interface AuditAdminAccess {
  actor: AuditActor;
  orgId: string;
}

export interface AuditAdminRouterOptions {
  pool: Pool;
  exportJobs: ExportJobs;
  signer: AuditSigner | null;
  /** Resolves the caller, or throws an error with `status` 401/403. */
  authorize(req: Request): Promise<AuditAdminAccess>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function optionalDate(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new HttpError(400, `${name} is not a valid date`);
  return d;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 512) throw new HttpError(400, `${name} must be a string`);
  return value;
}

function send(res: Response, err: unknown): void {
  const status = err instanceof HttpError ? err.status
    : err instanceof AuditSearchError || err instanceof ExportError ? 400
      : typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
  const message = status === 500 ? 'internal error' : (err as Error).message;
  res.status(status).json({ error: { message, type: status === 500 ? 'server_error' : 'invalid_request_error' } });
}

export function createAuditAdminRouter(opts: AuditAdminRouterOptions): Router {
  const router = Router();
  const route = (handler: (req: Request, res: Response, access: AuditAdminAccess) => Promise<void>) =>
    (req: Request, res: Response): void => {
      opts.authorize(req).then((access) => handler(req, res, access)).catch((err: unknown) => send(res, err));
    };
  const ownExport = async (id: string, access: AuditAdminAccess): Promise<ExportJobStatus> => {
    const status = /^[0-9a-f-]{36}$/.test(id) ? await opts.exportJobs.status(id) : null;
    if (!status || status.orgId !== access.orgId) throw new HttpError(404, 'no such export');
    return status;
  };

  router.get('/events', route(async (req, res, access) => {
    const q = req.query;
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    const page = await searchAuditEvents(opts.pool, {
      org: access.orgId, from: optionalDate(q.from, 'from'), to: optionalDate(q.to, 'to'), type: optionalString(q.type, 'type'),
      actorId: optionalString(q.actor, 'actor'), workspaceId: optionalString(q.workspace, 'workspace'),
      outcome: optionalString(q.outcome, 'outcome') as AuditOutcome | undefined, limit, cursor: optionalString(q.cursor, 'cursor'),
    });
    res.json({ data: page.events, next_cursor: page.nextCursor });
  }));

  router.post('/exports', json({ limit: '16kb' }), route(async (req, res, access) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const format = (body.format ?? 'jsonl') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new HttpError(400, `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const from = optionalDate(body.from, 'from');
    const to = optionalDate(body.to, 'to');
    const type = optionalString(body.type, 'type');
    if (type !== undefined && !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/.test(type)) throw new HttpError(400, 'type must be an event type or a prefix like "policy.*"');
    const status = await opts.exportJobs.request({
      requestedBy: access.actor, format, filter: { org: access.orgId, from: from?.toISOString(), to: to?.toISOString(), type },
    });
    res.status(202).location(`exports/${status.id}`).json(status);
  }));

  router.get('/exports/:id', route(async (req, res, access) => {
    res.json(await ownExport(String(req.params.id), access));
  }));

  router.get('/exports/:id/manifest', route(async (req, res, access) => {
    const status = await ownExport(String(req.params.id), access);
    if (status.status !== 'done' || !status.manifest) throw new HttpError(409, `export is ${status.status}`);
    res.json(status.manifest);
  }));

  router.get('/exports/:id/file', route(async (req, res, access) => {
    const status = await ownExport(String(req.params.id), access);
    if (status.status !== 'done' || !status.filePath) throw new HttpError(409, `export is ${status.status}`);
    const type = status.format === 'csv' ? 'text/csv' : 'application/x-ndjson';
    res.setHeader('content-type', type);
    res.setHeader('content-disposition', `attachment; filename="${status.manifest?.manifest.file ?? `export.${status.format}`}"`);
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(status.filePath!);
      stream.once('error', reject);
      stream.once('end', resolve);
      stream.pipe(res);
    });
  }));

  router.get('/verify', route(async (_req, res, access) => {
    const report = await verifyAuditLog(opts.pool, { org: access.orgId });
    res.status(report.ok ? 200 : 409).json(report);
  }));

  router.get('/public-key', route(async (_req, res) => {
    if (!opts.signer) throw new HttpError(404, 'no audit signing key is configured');
    res.json({ key_id: opts.signer.keyId, algorithm: 'ed25519', public_key: opts.signer.publicKeyPem });
  }));

  return router;
}
