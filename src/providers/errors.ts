import type { UpstreamErrorKind } from './types';

export interface UpstreamErrorInit {
  status?: number;
  kind: UpstreamErrorKind;
  retryable?: boolean;
  retryAfterMs?: number;
  providerMessage?: string;
  /** The provider's error type/code when it sent one (e.g. `rate_limit_error`, `overloaded_error`). */
  providerCode?: string;
  cause?: unknown;
}

/**
 * A failed upstream exchange. `retryable` says whether another attempt (same or next endpoint) may succeed:
 * 408/409/429/5xx, timeouts, connection failures and cut streams are; 4xx and client aborts are not.
 */
export class UpstreamError extends Error {
  /** Upstream HTTP status, or 0 when no response arrived. */
  readonly status: number;
  readonly kind: UpstreamErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly providerMessage?: string;
  readonly providerCode?: string;

  constructor(message: string, init: UpstreamErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UpstreamError';
    this.status = init.status ?? 0;
    this.kind = init.kind;
    this.retryable = init.retryable ?? defaultRetryable(init.kind, this.status);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.providerMessage !== undefined) this.providerMessage = init.providerMessage;
    if (init.providerCode !== undefined) this.providerCode = init.providerCode;
  }
}

function defaultRetryable(kind: UpstreamErrorKind, status: number): boolean {
  switch (kind) {
    case 'http':
      return status === 408 || status === 409 || status === 429 || status >= 500;
    case 'timeout':
    case 'connect':
    case 'stream_cut':
      return true;
    case 'aborted':
    case 'protocol':
      return false;
  }
}

/**
 * A client request that cannot be translated (edge routes: the Anthropic Messages shape). Maps to HTTP 400 with
 * `param` naming the offending field (dot/bracket path such as `messages[2].content[0].source`).
 */
export class RequestValidationError extends Error {
  readonly status = 400;
  readonly param: string | null;
  constructor(message: string, param: string | null) {
    super(message);
    this.name = 'RequestValidationError';
    this.param = param;
  }
}
