/**
 * A steady load of real client requests (OpenAI chat, streamed chat with usage, Anthropic messages) and a record
 * of what every one of them saw: status, error code, request id, usage, streamed text, and whether it was answered
 * at all before a generous deadline ("hung").
 */
import type { Readable } from 'node:stream';
import { Client, Pool, type Dispatcher } from 'undici';

export type RequestKind = 'chat' | 'stream' | 'messages';

export interface Outcome {
  n: number;
  kind: RequestKind;
  /** x-request-id of the answer (null: no answer at all). */
  requestId: string | null;
  status: number | null;
  /** `error.code` of an error answer, or of the error event that ended a stream. */
  errorCode: string | null;
  /** A 200 stream that ended with an error event (its code is in `errorCode`). */
  streamError: boolean;
  retryAfter: string | null;
  /** Usage the client was told (JSON answer, the stream's usage chunk). */
  usage: { prompt: number; completion: number } | null;
  /** Streamed answer text received before the stream ended. */
  text: string;
  /** The stream ended with [DONE]. */
  done: boolean;
  /** The client gave up on purpose (abortAfterChunks). */
  clientAborted: boolean;
  /** No complete answer before the deadline. */
  hung: boolean;
  /** A transport failure (reset, refused) — never expected from the gateway. */
  networkError: string | null;
}

export interface LoadOptions {
  origin: string;
  apiKey: string;
  model: string;
  /** Parallel client loops. */
  concurrency: number;
  /** Kinds in rotation (each loop cycles through them from its own offset). */
  kinds: readonly RequestKind[];
  /** A request without a complete answer after this long counts as hung. */
  deadlineMs?: number;
  /** Pause between a loop's requests, so the load is steady rather than saturating a 2-core machine. */
  thinkMs?: number;
  /** Streams: the client disconnects after this many content chunks. */
  abortAfterChunks?: number;
  maxTokens?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function bodyFor(kind: RequestKind, model: string, n: number, maxTokens: number): string {
  const content = `Chaos request ${n}: tell me something about resilience.`;
  if (kind === 'messages') return JSON.stringify({ model, max_tokens: maxTokens, messages: [{ role: 'user', content }] });
  return JSON.stringify({
    model, max_tokens: maxTokens, messages: [{ role: 'user', content }],
    ...(kind === 'stream' ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

interface SseState { text: string; usage: Outcome['usage']; done: boolean; errorCode: string | null; chunks: number }

/** Parses complete `data:` frames of an OpenAI chat stream; returns the unparsed rest. */
function consumeFrames(buffer: string, state: SseState): string {
  let end: number;
  while ((end = buffer.indexOf('\n\n')) !== -1) {
    const frame = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    for (const line of frame.split('\n')) {
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      if (data === '[DONE]') {
        state.done = true;
        continue;
      }
      const json = JSON.parse(data) as {
        error?: { code?: string };
        choices?: Array<{ delta?: { content?: string } }>;
        usage?: { prompt_tokens: number; completion_tokens: number } | null;
      };
      if (json.error) state.errorCode = json.error.code ?? 'unknown';
      for (const c of json.choices ?? []) {
        if (c.delta?.content) {
          state.text += c.delta.content;
          state.chunks++;
        }
      }
      if (json.usage) state.usage = { prompt: json.usage.prompt_tokens, completion: json.usage.completion_tokens };
    }
  }
  return buffer;
}

/** What to send: a request as a client builds it (raw bodies too: malformed, oversized, streamed in chunks). */
export interface RequestSpec {
  path: string;
  headers: Record<string, string>;
  /** A Readable is sent chunked (no content-length). */
  body: string | Buffer | Readable;
}

function specFor(options: LoadOptions, kind: RequestKind, n: number): RequestSpec {
  return {
    path: kind === 'messages' ? '/v1/messages' : '/v1/chat/completions',
    headers: {
      authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json',
      ...(kind === 'messages' ? { 'anthropic-version': '2023-06-01' } : {}),
    },
    body: bodyFor(kind, options.model, n, options.maxTokens ?? 64),
  };
}

/** One request; never throws — everything it saw is in the outcome. */
export async function perform(
  dispatcher: Dispatcher, spec: RequestSpec, kind: RequestKind, n: number, control: { deadlineMs?: number; abortAfterChunks?: number } = {},
): Promise<Outcome> {
  const out: Outcome = {
    n, kind, requestId: null, status: null, errorCode: null, streamError: false, retryAfter: null, usage: null, text: '',
    done: false, clientAborted: false, hung: false, networkError: null,
  };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), control.deadlineMs ?? 30_000);
  const userAbort = new AbortController();
  const signal = AbortSignal.any([deadline.signal, userAbort.signal]);
  try {
    const res = await dispatcher.request({ method: 'POST', path: spec.path, headers: spec.headers, body: spec.body, signal });
    out.status = res.statusCode;
    const rid = res.headers['x-request-id'];
    out.requestId = typeof rid === 'string' ? rid : null;
    const ra = res.headers['retry-after'];
    out.retryAfter = typeof ra === 'string' ? ra : null;
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode === 200 && contentType.startsWith('text/event-stream')) {
      const state: SseState = { text: '', usage: null, done: false, errorCode: null, chunks: 0 };
      let buffer = '';
      try {
        for await (const chunk of res.body) {
          buffer = consumeFrames(buffer + (chunk as Buffer).toString('utf8'), state);
          if (control.abortAfterChunks !== undefined && state.chunks >= control.abortAfterChunks && !state.done) {
            out.clientAborted = true;
            userAbort.abort(new Error('client gives up'));
            break;
          }
        }
      } catch (err) {
        if (!out.clientAborted) throw err;
      }
      out.text = state.text;
      out.usage = state.usage;
      out.done = state.done;
      out.errorCode = state.errorCode;
      out.streamError = state.errorCode !== null;
      return out;
    }
    const text = await res.body.text();
    const json = text ? JSON.parse(text) as Record<string, unknown> : {};
    if (res.statusCode >= 400) {
      const error = json.error as { code?: string } | undefined;
      out.errorCode = error?.code ?? null;
    } else if (kind === 'messages') {
      const u = json.usage as { input_tokens: number; output_tokens: number };
      out.usage = { prompt: u.input_tokens, completion: u.output_tokens };
    } else {
      const u = json.usage as { prompt_tokens: number; completion_tokens: number };
      out.usage = { prompt: u.prompt_tokens, completion: u.completion_tokens };
    }
    return out;
  } catch (err) {
    if (deadline.signal.aborted) out.hung = true;
    else out.networkError = err instanceof Error ? `${(err as { code?: string }).code ?? ''} ${err.message}` : String(err);
    return out;
  } finally {
    clearTimeout(timer);
  }
}

export const sendOne = (pool: Dispatcher, options: LoadOptions, kind: RequestKind, n: number): Promise<Outcome> =>
  perform(pool, specFor(options, kind, n), kind, n, options);

/** One hand-made request on a connection of its own. */
export async function sendRaw(origin: string, spec: RequestSpec, n: number, kind: RequestKind = 'chat'): Promise<Outcome> {
  const client = new Client(origin, { headersTimeout: 0, bodyTimeout: 0 });
  try {
    return await perform(client, spec, kind, n);
  } finally {
    await client.destroy();
  }
}

export interface RunningLoad {
  /** Requests answered so far. */
  readonly count: number;
  /** Resolves once `n` more requests have been answered since the call (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `n` more requests have been answered 200 since the call: the service recovered. */
  waitForSuccesses(n: number, timeoutMs?: number): Promise<void>;
  /** Stops sending, waits for the requests in flight, and returns every outcome. */
  stop(): Promise<Outcome[]>;
}

const liveLoads = new Set<RunningLoad>();

/** Stops loads a failed test left running, so they do not spill into the next scenario (call in afterEach). */
export async function stopAllLoads(): Promise<void> {
  await Promise.all([...liveLoads].map((l) => l.stop()));
}

/** Starts `concurrency` loops sending requests back to back (with a short think time) until stopped. */
export function startLoad(options: LoadOptions): RunningLoad {
  const load = createLoad(options);
  liveLoads.add(load);
  const stop = load.stop.bind(load);
  load.stop = () => {
    liveLoads.delete(load);
    return stop();
  };
  return load;
}

function createLoad(options: LoadOptions): RunningLoad {
  const pool = new Pool(options.origin, {
    connections: options.concurrency + 2, pipelining: 1, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000,
  });
  const outcomes: Outcome[] = [];
  let running = true;
  let next = 0;
  let successes = 0;
  let waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  const loop = async (offset: number): Promise<void> => {
    let i = offset;
    while (running) {
      const kind = options.kinds[i++ % options.kinds.length];
      const outcome = await sendOne(pool, options, kind, next++);
      outcomes.push(outcome);
      if (outcome.status === 200) successes++;
      waiters = waiters.filter((w) => (w.done() ? (w.resolve(), false) : true));
      if (options.thinkMs) await sleep(options.thinkMs);
    }
  };
  const wait = (done: () => boolean, what: string, timeoutMs: number): Promise<void> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters = waiters.filter((w) => w.resolve !== settle);
      reject(new Error(`${what} not reached within ${timeoutMs} ms (${outcomes.length} answers so far)`));
    }, timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      resolve();
    };
    waiters.push({ done, resolve: settle });
  });
  const loops = Array.from({ length: options.concurrency }, (_, k) => loop(k));
  return {
    get count() {
      return outcomes.length;
    },
    waitFor(n, timeoutMs = 60_000) {
      const target = outcomes.length + n;
      return wait(() => outcomes.length >= target, `${n} more answers`, timeoutMs);
    },
    waitForSuccesses(n, timeoutMs = 60_000) {
      const target = successes + n;
      return wait(() => successes >= target, `${n} more successful answers`, timeoutMs);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const w of waiters) w.resolve();
      await pool.close();
      return outcomes;
    },
  };
}
