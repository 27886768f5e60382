import { GatewayError } from '../http';
import type { NoRouteError } from '../routing';

/**
 * What a client sees after every allowed endpoint failed. Upstream 4xx other than auth are the
 * client's own mistakes and keep their status; everything else is the gateway's upstream
 * failing (502/503/504), never the client's fault.
 */
export function gatewayErrorFromUpstream(err: NoRouteError): GatewayError {
  const last = err.lastError;
  const tried = err.attempts.map((a) => a.endpointId);
  const details = tried.length ? { endpoints_tried: tried } : undefined;
  if (!last) {
    return new GatewayError(err.message, { status: 503, type: 'server_error', code: 'no_available_endpoint', details });
  }
  const provider = last.providerMessage ? `: ${last.providerMessage}` : '';
  switch (last.kind) {
    case 'timeout':
      return new GatewayError(`The upstream provider timed out (${last.message}).`, { status: 504, type: 'server_error', code: 'upstream_timeout', details });
    case 'connect':
      return new GatewayError('The upstream provider could not be reached.', { status: 502, type: 'server_error', code: 'upstream_unreachable', details });
    case 'stream_cut':
    case 'protocol':
      return new GatewayError(`The upstream provider sent an invalid or incomplete answer (${last.message}).`, { status: 502, type: 'server_error', code: 'upstream_protocol_error', details });
    case 'aborted':
      return new GatewayError('The request was cancelled.', { status: 499, type: 'invalid_request_error', code: 'client_closed_request', details });
    case 'http':
      break;
  }
  const status = last.status;
  if (status === 429) {
    const headers: Record<string, string> = {};
    if (last.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(last.retryAfterMs / 1000)));
    return new GatewayError(`The upstream provider is rate limiting requests${provider}`, { status: 429, type: 'rate_limit_error', code: 'upstream_rate_limited', headers, details });
  }
  if (status === 401 || status === 403) {
    return new GatewayError('The gateway\'s credentials for the upstream provider were refused.', { status: 502, type: 'server_error', code: 'upstream_auth_failed', details });
  }
  if (status >= 400 && status < 500) {
    return new GatewayError(`The upstream provider rejected the request${provider}`, { status, type: 'invalid_request_error', code: 'upstream_rejected', details });
  }
  return new GatewayError(`The upstream provider failed (HTTP ${status})${provider}`, { status: 502, type: 'server_error', code: 'upstream_error', details });
}
