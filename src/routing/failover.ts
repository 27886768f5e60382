import { setTimeout as sleep } from 'node:timers/promises';
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

export type RouteOrder = 'priority' | 'price' | 'latency';

export interface FailoverOptions {
  breakers: CircuitBreakers;
  signal: AbortSignal;
  /** `latency` reorders the routes by observed latency; other orders are already applied by the caller. */
  order?: RouteOrder;
  /** Passes over the routes when every attempt failed retryably (default 2: one retry round). */
  maxRounds?: number;
  /** Base backoff before a retry round; doubled per round, with jitter, capped at 2 s or Retry-After. */
  backoffMs?: number;
  onAttemptEnd?: (record: AttemptRecord, route: ModelRoute) => void;
}

/** Usable routes in order: unhealthy endpoints (open circuit, cooling down) go last, misconfigured ones not at all. */
export function orderRoutes(routes: readonly ModelRoute[], breakers: CircuitBreakers, order: RouteOrder = 'priority'): ModelRoute[] {
  const healthy: ModelRoute[] = [];
  const open: ModelRoute[] = [];
  for (const r of routes) {
    if (r.endpoint.credentialsProblem) continue;
    (breakers.isOpen(r.endpoint.id) ? open : healthy).push(r);
  }
  if (order === 'latency') {
    // Unknown latency sorts first, so a new endpoint gets measured.
    const l = (r: ModelRoute): number => breakers.latency(r.endpoint.id) ?? -1;
    healthy.sort((a, b) => l(a) - l(b));
  }
  return healthy.concat(open);
}

/** Client aborts and timeouts are not retried in a new round (the caller has waited long enough). */
const worthAnotherRound = (err: UpstreamError): boolean => err.retryable && err.kind !== 'timeout' && err.kind !== 'aborted';

/**
 * Tries routes in order until one succeeds. A retryable failure (429, 5xx, timeout, connection
 * error) moves on to the next endpoint; anything else (a 400 from the provider, a client abort)
 * stops at once, since another endpoint would answer the same. When every route failed
 * retryably, one more round follows after a backoff that honours Retry-After.
 */
export async function runWithFailover<T>(
  routes: readonly ModelRoute[],
  attempt: (route: ModelRoute) => Promise<T>,
  options: FailoverOptions,
): Promise<FailoverResult<T>> {
  const attempts: AttemptRecord[] = [];
  let lastError: UpstreamError | null = null;
  const maxRounds = options.maxRounds ?? 2;
  for (let round = 0; round < maxRounds; round++) {
    const ordered = orderRoutes(routes, options.breakers, options.order);
    if (ordered.length === 0) {
      throw new NoRouteError('No endpoint serving this model is configured with credentials.', attempts, null);
    }
    let retryAfterMs = 0;
    let allRetryable = true;
    for (const route of ordered) {
      if (options.signal.aborted) break;
      const id = route.endpoint.id;
      const started = performance.now();
      options.breakers.begin(id);
      try {
        const value = await attempt(route);
        const durationMs = performance.now() - started;
        options.breakers.success(id, durationMs);
        const record: AttemptRecord = { endpointId: id, ok: true, durationMs };
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
        if (upstream.kind === 'aborted' || !upstream.retryable) {
          throw new NoRouteError(upstream.message, attempts, upstream);
        }
        options.breakers.failure(id, Date.now(), upstream.retryAfterMs);
        if (!worthAnotherRound(upstream)) allRetryable = false;
        retryAfterMs = Math.max(retryAfterMs, upstream.retryAfterMs ?? 0);
      }
    }
    if (options.signal.aborted || !allRetryable || round + 1 >= maxRounds) break;
    const base = (options.backoffMs ?? 100) * 2 ** round;
    const wait = Math.min(2_000, Math.max(base * (0.5 + Math.random()), retryAfterMs));
    if (retryAfterMs > 2_000) break; // the providers asked for longer than a request should wait
    await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined);
  }
  throw new NoRouteError(lastError?.message ?? 'request aborted', attempts, lastError);
}
