/**
 * Gateway errors and their wire shapes. Every error a client sees is a GatewayError rendered
 * in the shape of the API it called (OpenAI or Anthropic); nothing else (no stack) leaves.
 */

export type ErrorShape = 'openai' | 'anthropic';

export interface GatewayErrorInit {
  status: number;
  type: string;
  code: string;
  param?: string | null;
  headers?: Record<string, string>;
  /** Extra members of the error object (e.g. `limit` for spend caps, `reasons` for denials). */
  details?: Record<string, unknown>;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown>;

  constructor(message: string, init: GatewayErrorInit) {
    super(message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.details = init.details ?? {};
  }
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request'): GatewayError =>
  new GatewayError(message, { status: 400, type: 'invalid_request_error', code, param });

export const unauthorized = (message: string, code = 'invalid_api_key'): GatewayError =>
  new GatewayError(message, { status: 401, type: 'authentication_error', code });

export const notFound = (message: string, code: string, param: string | null = null): GatewayError =>
  new GatewayError(message, { status: 404, type: 'not_found_error', code, param });

export const internalError = (): GatewayError =>
  new GatewayError('The gateway hit an internal error; the request id identifies it in the logs.', {
    status: 500, type: 'server_error', code: 'internal_error',
  });

// Anthropic's documented error types by HTTP status.
function anthropicType(err: GatewayError): string {
  switch (err.status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 504: return 'timeout_error';
    case 529: return 'overloaded_error';
    default: return err.status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function errorBody(err: GatewayError, shape: ErrorShape): Record<string, unknown> {
  if (shape === 'anthropic') {
    return { type: 'error', error: { type: anthropicType(err), message: err.message, code: err.code, ...err.details } };
  }
  return { error: { message: err.message, type: err.type, code: err.code, param: err.param, ...err.details } };
}
