import { RequestValidationError, UpstreamError } from '../providers';
import type { ModelRoute } from '../catalog';
import type { CircuitBreakers } from './circuit-breaker';

export interface AttemptRecord {
  endpointId: string;
  ok: boolean;
  /** Upstream error kind/status when the attempt failed. */
  error?: { kind: string; status: number; message: string };
  durationMs: number;
}

export interface FailoverResult<T> {
  value: T;
  route: ModelRoute;
  attempts: AttemptRecord[];
}

export class NoRouteError extends Error {
  constructor(message: string, readonly attempts: AttemptRecord[], readonly lastError: UpstreamError | null) {
    super(message);
    this.name = 'NoRouteError';
  }
}

export interface FailoverOptions {
  breakers: CircuitBreakers;
  signal: AbortSignal;
  onAttemptEnd?: (record: AttemptRecord, route: ModelRoute) => void;
}

/** Usable routes in order: endpoints with an open circuit go last, misconfigured ones not at all. */
export function orderRoutes(routes: readonly ModelRoute[], breakers: CircuitBreakers): ModelRoute[] {
  const healthy: ModelRoute[] = [];
  const open: ModelRoute[] = [];
  for (const r of routes) {
    if (r.endpoint.credentialsProblem) continue;
    (breakers.isOpen(r.endpoint.id) ? open : healthy).push(r);
  }
  return healthy.concat(open);
}

/**
 * Tries routes in order until one succeeds. A retryable failure (429, 5xx, timeout, connection
 * error) moves on to the next endpoint; anything else (a 400 from the provider, a client abort)
 * stops at once, since another endpoint would answer the same.
 */
export async function runWithFailover<T>(
  routes: readonly ModelRoute[],
  attempt: (route: ModelRoute) => Promise<T>,
  options: FailoverOptions,
): Promise<FailoverResult<T>> {
  const ordered = orderRoutes(routes, options.breakers);
  const attempts: AttemptRecord[] = [];
  let lastError: UpstreamError | null = null;
  if (ordered.length === 0) {
    throw new NoRouteError('No endpoint serving this model is configured with credentials.', attempts, null);
  }
  for (const route of ordered) {
    if (options.signal.aborted) break;
    const id = route.endpoint.id;
    const started = performance.now();
    options.breakers.begin(id);
    try {
      const value = await attempt(route);
      options.breakers.success(id);
      const record: AttemptRecord = { endpointId: id, ok: true, durationMs: performance.now() - started };
      attempts.push(record);
      options.onAttemptEnd?.(record, route);
      return { value, route, attempts };
    } catch (err) {
      // A request this provider cannot take (e.g. audio to Anthropic) is the client's problem, not an outage.
      if (err instanceof RequestValidationError) throw err;
      const upstream = err instanceof UpstreamError
        ? err
        : new UpstreamError(`adapter failed: ${(err as Error).message}`, { kind: 'protocol', cause: err });
      const record: AttemptRecord = {
        endpointId: id, ok: false, durationMs: performance.now() - started,
        error: { kind: upstream.kind, status: upstream.status, message: upstream.message },
      };
      attempts.push(record);
      options.onAttemptEnd?.(record, route);
      lastError = upstream;
      if (upstream.kind === 'aborted') break;
      if (upstream.retryable) options.breakers.failure(id);
      if (!upstream.retryable) break;
    }
  }
  throw new NoRouteError(lastError?.message ?? 'request aborted', attempts, lastError);
}
