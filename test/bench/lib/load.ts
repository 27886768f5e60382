/**
 * The two load shapes: closed loop (autocannon, N connections each sending as soon as its previous answer ended —
 * the maximum throughput) and open loop (requests evenly paced at a fixed rate, each timed from its *scheduled*
 * send time, so a stall in the server shows up as latency instead of silently lowering the rate).
 */
import autocannon = require('autocannon');
import { Pool } from 'undici';
import { SampleBuffer, type LatencySummary } from './stats';

export interface Target {
  /** Origin, e.g. `http://127.0.0.1:8080`. */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  /** Answers received (any status). */
  completed: number;
  ok: number;
  non2xx: number;
  /** Connection errors, timeouts, requests never sent (open loop over its in-flight cap), invalid bodies. */
  errors: number;
  durationS: number;
  /** Successful answers per second. */
  rps: number;
  /** Milliseconds, successful requests only. */
  latency: LatencySummary;
  /** Open loop: time to response headers (streaming: the first byte of the stream), from the scheduled time. */
  ttfb?: LatencySummary;
  /** Open loop: how late the generator itself sent requests (timer granularity, its own CPU starvation). */
  sendLag?: LatencySummary;
  offeredRps?: number;
}

export async function closedLoop(target: Target, connections: number, durationS: number): Promise<LoadResult> {
  const samples = new SampleBuffer();
  const instance = autocannon({
    url: target.origin + target.path,
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
    method: 'POST',
    headers: target.headers,
    body: target.body,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) samples.add(ms);
  });
  const result = await instance;
  const ok = result['2xx'];
  return {
    completed: ok + result.non2xx,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
    rps: ok / result.duration,
    latency: samples.summary(),
  };
}

export interface PacedOptions {
  rate: number;
  durationS: number;
  /** Above this many requests in flight the generator stops sending and counts the skipped ones as errors. */
  maxInFlight?: number;
  /** Connections the generator may open (default 512); above that, due requests wait in its queue, still timed from their slot. */
  connections?: number;
  /** Checks a successful body (e.g. a stream must end with `[DONE]`); a failed check counts as an error. */
  validate?: (body: string) => boolean;
  timeoutMs?: number;
  /** Called for every request as it ends (or is skipped): lets a long run report itself in windows (a soak curve). */
  onAnswer?: (outcome: 'ok' | 'non2xx' | 'error', latencyMs: number | null) => void;
}

/** Open loop at a fixed rate: request i is due at start + i/rate, and its latency counts from that instant. */
export async function pacedLoop(target: Target, options: PacedOptions): Promise<LoadResult> {
  const { rate, durationS } = options;
  const maxInFlight = options.maxInFlight ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const total = Math.max(1, Math.round(rate * durationS));
  const intervalMs = 1000 / rate;
  const pool = new Pool(target.origin, {
    connections: options.connections ?? 512, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000,
  });
  const latency = new SampleBuffer();
  const ttfb = new SampleBuffer();
  const lag = new SampleBuffer();
  let ok = 0, non2xx = 0, errors = 0, completed = 0, inFlight = 0, lastEnd = 0;
  const requestHeaders = { ...target.headers, 'content-type': 'application/json' };

  const send = async (scheduled: number, now: number): Promise<void> => {
    lag.add(now - scheduled);
    inFlight++;
    try {
      const res = await pool.request({ method: 'POST', path: target.path, headers: requestHeaders, body: target.body });
      const headersAt = performance.now();
      const text = await res.body.text();
      const end = performance.now();
      completed++;
      if (res.statusCode < 200 || res.statusCode >= 300) {
        non2xx++;
        options.onAnswer?.('non2xx', null);
      } else if (options.validate && !options.validate(text)) {
        errors++;
        options.onAnswer?.('error', null);
      } else {
        ok++;
        latency.add(end - scheduled);
        ttfb.add(headersAt - scheduled);
        options.onAnswer?.('ok', end - scheduled);
      }
      lastEnd = end;
    } catch {
      errors++;
      options.onAnswer?.('error', null);
    } finally {
      inFlight--;
    }
  };

  const start = performance.now() + 20;
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      // Send everything that is due; a late timer sends several at once, each still timed from its own slot.
      while (next < total && start + next * intervalMs <= now) {
        const scheduled = start + next * intervalMs;
        next++;
        if (inFlight >= maxInFlight) {
          errors++;
          options.onAnswer?.('error', null);
        } else pending.push(send(scheduled, now));
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  await Promise.all(pending);
  await pool.close();
  const elapsedS = Math.max(total * intervalMs, lastEnd - start) / 1000;
  return {
    completed, ok, non2xx, errors, durationS: elapsedS, rps: ok / elapsedS,
    latency: latency.summary(), ttfb: ttfb.summary(), sendLag: lag.summary(), offeredRps: rate,
  };
}
