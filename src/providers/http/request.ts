import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import { UpstreamError } from '../errors';
import type { UpstreamCall } from '../types';
import { parseBaseUrl, poolFor } from './pool';

type ResponseBody = Dispatcher.ResponseData['body'];

/** Longest error body read from an upstream (the message is all we need). */
const MAX_ERROR_BODY = 64 * 1024;
/** Retry-After values beyond this are treated as "not soon" and capped. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * The abort signal handed to undici, which accepts an EventEmitter with `aborted`/`reason` as well as an
 * AbortSignal. Why not an AbortController: in Node 20 creating an AbortSignal and listening on it costs ~5 µs
 * (EventTarget), an emitter ~0.1 µs, and nothing but undici ever listens to this one.
 */
class UpstreamAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * One upstream HTTP exchange in flight: the 2xx response whose body the adapter reads, plus the bookkeeping that
 * ties it to the caller's signal and the endpoint's total timeout. `finish()` must run once the body is done with.
 */
export class UpstreamExchange {
  status = 0;
  headers: Dispatcher.ResponseData['headers'] = {};
  body: ResponseBody | null = null;
  private timedOut = false;
  private firstByteTimedOut = false;
  private firstByteTimer: NodeJS.Timeout | null = null;
  private finished = false;
  private readonly controller = new UpstreamAbort();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: () => void;

  constructor(readonly call: UpstreamCall) {
    this.onCallerAbort = () => this.controller.abort(call.signal.reason);
    call.signal.addEventListener('abort', this.onCallerAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('total timeout'));
    }, call.target.timeouts.totalMs);
  }

  get signal(): EventEmitter {
    return this.controller;
  }

  /** Our own first-byte timer: undici's headersTimeout runs on coarse timers (hundreds of ms late), ours is exact. */
  armFirstByte(ms: number): void {
    this.firstByteTimer = setTimeout(() => {
      this.firstByteTimedOut = true;
      this.controller.abort(new Error('first byte timeout'));
    }, ms);
  }

  headersArrived(): void {
    if (this.firstByteTimer) clearTimeout(this.firstByteTimer);
    this.firstByteTimer = null;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.headersArrived();
    this.call.signal.removeEventListener('abort', this.onCallerAbort);
  }

  /** Stops the exchange now: the upstream connection is closed (used when the consumer stops reading early). */
  cancel(): void {
    if (this.body && !this.body.destroyed) this.body.destroy();
    this.finish();
  }

  /** Turns whatever undici threw into an UpstreamError, using what this exchange knows (caller abort, total timer). */
  classify(err: unknown, inBody: boolean): UpstreamError {
    if (err instanceof UpstreamError) return err;
    const t = this.call.target;
    if (this.call.signal.aborted) {
      return new UpstreamError(`request to ${t.id} aborted by the caller`, { kind: 'aborted', cause: err });
    }
    if (this.firstByteTimedOut) {
      return new UpstreamError(`${t.id} sent no response headers within ${t.timeouts.firstByteMs} ms`, { kind: 'timeout', cause: err });
    }
    if (this.timedOut) {
      return new UpstreamError(`${t.id} did not complete within ${t.timeouts.totalMs} ms`, { kind: 'timeout', cause: err });
    }
    const code = errorCode(err);
    const detail = err instanceof Error ? err.message : String(err);
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new UpstreamError(`connecting to ${t.id} timed out after ${t.timeouts.connectMs} ms`, { kind: 'timeout', cause: err });
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new UpstreamError(`${t.id} sent no response headers within ${t.timeouts.firstByteMs} ms`, { kind: 'timeout', cause: err });
      case 'UND_ERR_BODY_TIMEOUT':
        return new UpstreamError(`${t.id} went silent mid-response for ${t.timeouts.idleMs ?? t.timeouts.totalMs} ms`, { kind: 'timeout', cause: err });
      case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
        return new UpstreamError(`${t.id} closed the response before its declared length`, { kind: 'stream_cut', cause: err });
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
      case 'CERT_HAS_EXPIRED':
      case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
        return new UpstreamError(`cannot connect to ${t.id}: ${code}`, { kind: 'connect', cause: err });
      default:
        if (code !== undefined && code.startsWith('HPE_')) {
          return new UpstreamError(`${t.id} sent a malformed HTTP response (${code})`, { kind: 'protocol', retryable: true, cause: err });
        }
        return inBody
          ? new UpstreamError(`${t.id} closed the connection mid-response: ${detail}`, { kind: 'stream_cut', cause: err })
          : new UpstreamError(`request to ${t.id} failed: ${detail}`, { kind: 'connect', cause: err });
    }
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connect failures arrive as an AggregateError of per-address errors.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) return errorCode(inner[0]);
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err ? errorCode(cause) : undefined;
}

/**
 * POSTs (or GETs) `body` to `pathAndQuery` (appended to the target's base path) and resolves with the exchange once
 * a 2xx status and headers arrived. Non-2xx answers are read and thrown as `UpstreamError` (kind `http`) with the
 * provider's message and Retry-After.
 */
export async function openUpstream(
  call: UpstreamCall,
  pathAndQuery: string,
  headers: Record<string, string>,
  body: string | null,
): Promise<UpstreamExchange> {
  if (call.signal.aborted) {
    throw new UpstreamError(`request to ${call.target.id} aborted by the caller`, { kind: 'aborted' });
  }
  const base = parseBaseUrl(call.target.baseUrl);
  const ex = new UpstreamExchange(call);
  let path = base.basePath + pathAndQuery;
  if (base.baseQuery) path += (pathAndQuery.includes('?') ? '&' : '?') + base.baseQuery;
  const t = call.target.timeouts;
  let res: Dispatcher.ResponseData;
  ex.armFirstByte(t.firstByteMs);
  try {
    res = await poolFor(base.origin, t.connectMs).request({
      path,
      method: body === null ? 'GET' : 'POST',
      headers,
      body,
      signal: ex.signal,
      headersTimeout: t.firstByteMs,
      bodyTimeout: t.idleMs ?? t.totalMs,
    });
  } catch (err) {
    ex.finish();
    throw ex.classify(err, false);
  }
  ex.headersArrived();
  ex.status = res.statusCode;
  ex.headers = res.headers;
  ex.body = res.body;
  if (res.statusCode >= 200 && res.statusCode < 300) return ex;
  let text = '';
  try {
    text = await readBounded(res.body, MAX_ERROR_BODY);
  } catch {
    // the status says enough
  } finally {
    ex.finish();
  }
  throw httpError(call.target.id, res.statusCode, res.headers, text);
}

async function readBounded(body: ResponseBody, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    parts.push(buf);
    size += buf.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}

/** Reads a 2xx JSON body; invalid JSON is a (retryable) protocol error. */
export async function readJson(ex: UpstreamExchange): Promise<unknown> {
  let text: string;
  try {
    text = await ex.body!.text();
  } catch (err) {
    throw ex.classify(err, true);
  } finally {
    ex.finish();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(`${ex.call.target.id} answered ${ex.status} with a body that is not JSON`, {
      kind: 'protocol',
      status: ex.status,
      retryable: true,
      providerMessage: text.slice(0, 200),
    });
  }
}

/** The raw body chunks of a 2xx streaming response; errors are classified, early exit closes the connection. */
export async function* bodyChunks(ex: UpstreamExchange): AsyncGenerator<Buffer, void, undefined> {
  let completed = false;
  try {
    for await (const chunk of ex.body!) yield chunk as Buffer;
    completed = true;
  } catch (err) {
    throw ex.classify(err, true);
  } finally {
    if (completed) ex.finish();
    else ex.cancel();
  }
}

export function httpError(
  endpointId: string,
  status: number,
  headers: Dispatcher.ResponseData['headers'],
  text: string,
): UpstreamError {
  const { message, code } = providerErrorMessage(text);
  const retryAfterMs = parseRetryAfter(headers);
  return new UpstreamError(`${endpointId} answered HTTP ${status}${message ? `: ${message}` : ''}`, {
    kind: 'http',
    status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(message ? { providerMessage: message } : {}),
    ...(code ? { providerCode: code } : {}),
  });
}

/** Extracts the message from OpenAI (`{error:{message,type,code}}`), Anthropic and Gemini error bodies. */
export function providerErrorMessage(text: string): { message?: string; code?: string } {
  const trimmed = text.trim();
  if (!trimmed) return {};
  try {
    let body = JSON.parse(trimmed) as unknown;
    if (Array.isArray(body)) body = body[0]; // Gemini sometimes wraps errors in an array
    const error = (body as { error?: unknown } | null)?.error;
    if (typeof error === 'string') return { message: error.slice(0, 1000) };
    if (error && typeof error === 'object') {
      const e = error as { message?: unknown; type?: unknown; code?: unknown; status?: unknown };
      const message = typeof e.message === 'string' ? e.message.slice(0, 1000) : undefined;
      const code = [e.type, e.status, e.code].find((v) => typeof v === 'string') as string | undefined;
      return { ...(message ? { message } : {}), ...(code ? { code } : {}) };
    }
    const msg = (body as { message?: unknown } | null)?.message;
    if (typeof msg === 'string') return { message: msg.slice(0, 1000) };
  } catch {
    // not JSON: an HTML error page or plain text from a proxy
  }
  return { message: trimmed.slice(0, 300) };
}

/** `retry-after-ms` (OpenAI), `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Dispatcher.ResponseData['headers'], now = Date.now()): number | undefined {
  const ms = headerValue(headers['retry-after-ms']);
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return Math.min(Math.ceil(n), MAX_RETRY_AFTER_MS);
  }
  const ra = headerValue(headers['retry-after']);
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (ra.trim() !== '' && Number.isFinite(secs)) return secs < 0 ? undefined : Math.min(Math.ceil(secs * 1000), MAX_RETRY_AFTER_MS);
  const date = Date.parse(ra);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
