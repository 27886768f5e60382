/** Response writing for the mock: JSON bodies and SSE streams that honour the stream faults (delay, cut). */

import type { ServerResponse } from 'node:http';
import type { FaultSpec } from './faults';
import type { RecordedRequest } from './recorder';

export type Protocol = 'openai' | 'anthropic' | 'gemini';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Error bodies in each provider's own shape. */
export function errorBody(protocol: Protocol, status: number, message: string, param: string | null = null): unknown {
  if (protocol === 'anthropic') {
    const type =
      status === 401 ? 'authentication_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error'
      : status === 529 || status === 503 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  if (protocol === 'gemini') {
    const st = status === 400 ? 'INVALID_ARGUMENT' : status === 401 ? 'UNAUTHENTICATED' : status === 404 ? 'NOT_FOUND'
      : status === 429 ? 'RESOURCE_EXHAUSTED' : status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
    return { error: { code: status, message, status: st } };
  }
  const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param, code: status === 401 ? 'invalid_api_key' : null } };
}

export function sendError(res: ServerResponse, protocol: Protocol, status: number, message: string, param: string | null = null, headers?: Record<string, string>): void {
  sendJson(res, status, errorBody(protocol, status, message, param), headers);
}

/** Sends a full JSON body, or — with a `cut` fault — half of it before closing the socket. */
export function sendJsonWithFault(res: ServerResponse, body: unknown, fault: FaultSpec | null, rec: RecordedRequest): void {
  if (fault?.cutAfterChunks === undefined) {
    sendJson(res, 200, body);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  rec.outcome = 'cut';
  res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
}

/**
 * Writes SSE frames. Without stream faults the whole stream goes out in one write (the mock is used in benchmarks);
 * with `chunkDelayMs` frames are spaced out; with `cutAfterChunks` the socket is closed after that many frames.
 */
export async function sendStream(res: ServerResponse, frames: string[], fault: FaultSpec | null, rec: RecordedRequest): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const cut = fault?.cutAfterChunks;
  const delay = fault?.chunkDelayMs ?? 0;
  if (cut === undefined && delay === 0) {
    res.end(frames.join(''));
    return;
  }
  res.flushHeaders();
  const limit = cut === undefined ? frames.length : Math.min(cut, frames.length);
  for (let i = 0; i < limit; i++) {
    if (res.destroyed) return;
    if (delay > 0 && i > 0) await sleep(delay);
    if (res.destroyed) return;
    res.write(frames[i]!);
  }
  if (cut !== undefined) {
    rec.outcome = 'cut';
    // Flush what was written, then drop the connection without the chunked terminator.
    res.write('', () => res.socket?.destroy());
    return;
  }
  res.end();
}

export function sseFrame(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
