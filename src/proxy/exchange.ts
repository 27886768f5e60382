import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyRecord } from '../db';
import { GatewayError, errorBody, internalError, type ErrorShape } from '../http';
import { requestIdFrom } from '../http';
import type { DataPlaneServices } from './services';
import type { GatewayDecision } from '../policy';
import type { Reservation, SpendEstimate } from '../spend';
import { requestAuditEvent, type SettledFigures } from './audit-step';

/** One data-plane request as it moves through the pipeline. */
export class Exchange {
  readonly requestId: string;
  readonly started = performance.now();
  readonly abort = new AbortController();
  key: ApiKeyRecord | null = null;
  model = '';
  endpointId: string | null = null;
  stream = false;
  status = 200;
  errorCode: string | null = null;
  /** Set by the policy step (src/proxy/governance.ts). */
  decisionId: string | null = null;
  policyVersion: string | null = null;
  decision: GatewayDecision | null = null;
  /** Findings by type in the prompt and in the answer (counts only, never values). */
  piiSummary: Readonly<Record<string, number>> = {};
  outputPiiSummary: Readonly<Record<string, number>> = {};
  /** The spend hold taken before routing (src/proxy/spend-step.ts); settled exactly once. */
  reservation: Reservation | null = null;
  estimate: SpendEstimate | null = null;
  /** Resolves with what settlement booked (cost, tokens); the audit event waits for it. */
  settlement: Promise<SettledFigures> | null = null;
  /** Upstream attempts made (failover included). */
  attempts = 0;
  /** True once response headers went out: later errors can only end the stream. */
  get committed(): boolean {
    return this.res.headersSent;
  }

  constructor(
    readonly route: string,
    readonly shape: ErrorShape,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', this.requestId);
    // A client that goes away mid-request cancels the upstream call.
    res.on('close', () => {
      if (!res.writableFinished) this.abort.abort(new Error('client disconnected'));
    });
  }

  get clientGone(): boolean {
    return this.abort.signal.aborted;
  }

  sendJson(status: number, body: unknown, headers?: Record<string, string>): void {
    this.status = status;
    const payload = JSON.stringify(body);
    const res = this.res;
    if (headers) for (const name in headers) res.setHeader(name, headers[name]);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  sendError(err: unknown, services: DataPlaneServices): void {
    const gatewayError = err instanceof GatewayError ? err : internalError();
    if (!(err instanceof GatewayError)) {
      services.logger.error({ err, requestId: this.requestId, route: this.route }, 'unhandled error in the data plane');
    }
    this.errorCode = gatewayError.code;
    if (this.committed || this.clientGone) {
      this.status = gatewayError.status;
      if (!this.res.writableEnded) this.res.end();
      return;
    }
    this.sendJson(gatewayError.status, errorBody(gatewayError, this.shape), gatewayError.headers);
  }
}

/** Wraps a route handler with request ids, error rendering, metrics and the access log. */
export function dataPlaneHandler(
  services: DataPlaneServices,
  route: string,
  shape: ErrorShape | ((req: IncomingMessage) => ErrorShape),
  handle: (ex: Exchange) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const ex = new Exchange(route, typeof shape === 'function' ? shape(req) : shape, req, res);
    services.inflight.add();
    handle(ex)
      .catch((err) => ex.sendError(err, services))
      .finally(() => {
        const finish = (): void => {
          services.inflight.done();
          if (ex.key && services.audit && route !== 'models') {
            const audit = services.audit;
            Promise.resolve(ex.settlement)
              .then((settled) => audit.emit(requestAuditEvent(ex, settled, ex.attempts)))
              .catch((err) => services.logger.error({ err, requestId: ex.requestId }, 'audit event could not be recorded'));
          }
          const seconds = (performance.now() - ex.started) / 1000;
          const status = String(ex.status);
          services.metrics.requests.inc({ route, status });
          services.metrics.requestDuration.observe({ route, status }, seconds);
          services.logger.info({
            requestId: ex.requestId, route, status: ex.status, model: ex.model || undefined, endpoint: ex.endpointId ?? undefined,
            stream: ex.stream || undefined, keyId: ex.key?.id, workspace: ex.key?.workspaceSlug, ms: Math.round(seconds * 1000),
            decisionId: ex.decisionId ?? undefined,
            error: ex.errorCode ?? undefined, clientGone: ex.clientGone || undefined,
          }, 'request');
        };
        if (res.writableFinished || res.destroyed) finish();
        else res.once('close', finish);
      });
  };
}
