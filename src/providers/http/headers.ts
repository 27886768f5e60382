import type { UpstreamCall } from '../types';

/** Request headers for a JSON POST upstream: endpoint extras first, then auth and our own (which win). */
export function jsonHeaders(call: UpstreamCall, auth: Record<string, string>, stream: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  const extra = call.target.headers;
  if (extra) for (const k in extra) h[k.toLowerCase()] = extra[k]!;
  for (const k in auth) h[k] = auth[k]!;
  h['content-type'] = 'application/json';
  h['accept'] = stream ? 'text/event-stream' : 'application/json';
  h['x-request-id'] = call.requestId;
  return h;
}
