import { GatewayError } from '../http';
import { formatUsd, nanosToUsd } from './money';
import type { CapEntry, ParallelEntry, RateEntry } from './plan';

/** Body member `limit` of a 402/429: which limit denied the request and where it stands. */
export interface LimitDetails {
  scope: string;
  window: string;
  unit: 'usd' | 'tokens' | 'requests' | 'parallel_requests';
  limit: number;
  spent: number;
  reserved?: number;
  requested: number;
  /** ISO time the window (or bucket) frees enough room; null when it never does (lifetime cap). */
  resets_at: string | null;
  source?: string;
}

const WINDOW_WORD: Record<string, string> = { day: 'daily', week: 'weekly', month: 'monthly', total: 'lifetime' };
const SCOPE_WORD: Record<string, string> = { workspace: "workspace's", user: "user's", key: "API key's", tag: 'tag' };

const amount = (unit: CapEntry['unit'], value: number): number => (unit === 'usd' ? nanosToUsd(value) : value);
const show = (unit: CapEntry['unit'], value: number): string => (unit === 'usd' ? formatUsd(nanosToUsd(value)) : `${value} tokens`);

export function capExceeded(entry: CapEntry, spent: number, reserved: number): GatewayError {
  const resetsAt = Number.isFinite(entry.bounds.endMs) ? new Date(entry.bounds.endMs).toISOString() : null;
  const who = entry.scope === 'tag' ? `tag "${entry.scopeId}"` : SCOPE_WORD[entry.scope];
  const message = `The ${who} ${WINDOW_WORD[entry.window]} ${entry.unit === 'usd' ? 'budget' : 'token budget'} of ${show(entry.unit, entry.hardLimit)} `
    + `would be exceeded: ${show(entry.unit, spent)} spent, ${show(entry.unit, reserved)} held by requests in flight, `
    + `this request may use up to ${show(entry.unit, entry.amount)}.`
    + (resetsAt ? ` The budget resets at ${resetsAt}.` : '')
    + (entry.amount > 0 && spent + reserved < entry.hardLimit ? ' A smaller max_tokens may fit.' : '');
  const limit: LimitDetails = {
    scope: entry.scope, window: entry.window, unit: entry.unit, limit: amount(entry.unit, entry.hardLimit),
    spent: amount(entry.unit, spent), reserved: amount(entry.unit, reserved), requested: amount(entry.unit, entry.amount),
    resets_at: resetsAt, source: entry.specs.find((s) => s.hard)?.source,
  };
  return new GatewayError(message, {
    status: 402, type: 'insufficient_quota', code: entry.unit === 'usd' ? 'spend_cap_exceeded' : 'token_cap_exceeded', details: { limit },
  });
}

export function retryHeaders(waitMs: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))), 'retry-after-ms': String(Math.max(1, Math.ceil(waitMs))) };
}

export function rateLimited(entry: RateEntry, waitMs: number, left: number, nowMs: number): GatewayError {
  const noun = entry.kind === 'rpm' ? 'requests' : 'tokens';
  const who = entry.scope === 'key' ? 'API key' : 'workspace';
  const limit: LimitDetails = {
    scope: entry.scope, window: 'minute', unit: entry.kind === 'rpm' ? 'requests' : 'tokens', limit: entry.capacity,
    spent: Math.max(0, entry.capacity - left), requested: entry.cost,
    resets_at: waitMs >= 0 ? new Date(nowMs + waitMs).toISOString() : null,
  };
  if (waitMs < 0) {
    return new GatewayError(
      `This request may use ${entry.cost} tokens, more than the ${who}'s limit of ${entry.capacity} tokens per minute; lower max_tokens or the prompt size.`,
      { status: 429, type: 'rate_limit_error', code: 'request_exceeds_rate_limit', details: { limit } },
    );
  }
  return new GatewayError(
    `Rate limit of the ${who} reached: ${entry.capacity} ${noun} per minute. Retry in ${(waitMs / 1000).toFixed(1)}s.`,
    { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', headers: retryHeaders(waitMs), details: { limit } },
  );
}

export function tooManyParallel(entry: ParallelEntry, inFlight: number): GatewayError {
  const limit: LimitDetails = {
    scope: entry.scope, window: 'concurrent', unit: 'parallel_requests', limit: entry.limit, spent: inFlight, requested: 1, resets_at: null,
  };
  return new GatewayError(
    `The ${entry.scope === 'key' ? 'API key' : 'workspace'} already has ${inFlight} requests in flight (limit ${entry.limit}); retry when one finishes.`,
    { status: 429, type: 'rate_limit_error', code: 'too_many_parallel_requests', headers: retryHeaders(1000), details: { limit } },
  );
}

export function spendUnavailable(): GatewayError {
  return new GatewayError('Spend limits cannot be verified right now (the counter store is unreachable); the request was not sent.', {
    status: 503, type: 'server_error', code: 'spend_unavailable', headers: retryHeaders(1000),
  });
}

/** OpenAI's x-ratelimit-reset-* format: "20ms", "1.5s", "6m0s". */
export function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms - minutes * 60_000) / 1000)}s`;
}
