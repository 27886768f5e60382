/**
 * Fault injection for the mock provider. A fault comes from (first match wins):
 *  1. the `x-mock-fault` request header, e.g. `status=429,retry-after=2`, `latency=200`, `hang`, `cut=3`;
 *  2. a `/fault/<spec>/` path segment, e.g. `/fault/status=500/v1/chat/completions` (same syntax, `;` or `,`);
 *  3. a configured base-path prefix (`POST /__mock/faults {"/flaky": {"status": 500}}`), longest prefix first;
 *  4. a built-in alias segment: `/fail500`, `/fail503`, `/fail429`, `/timeout`, `/slow`, `/cut`.
 */

export interface FaultSpec {
  /** Answer this HTTP status with a provider-shaped error body. */
  status?: number;
  /** `retry-after` header (seconds) sent with the error status (defaults to 1 for 429). */
  retryAfterSec?: number;
  /** Delay before the response headers (slow first byte). */
  latencyMs?: number;
  /** Never answer: no headers, no body (the caller's timeout must fire). */
  hang?: boolean;
  /** Close the socket after this many body chunks (SSE events; non-streaming bodies are cut half-way). */
  cutAfterChunks?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** Only the first N requests matching this fault fail; later ones are served normally (flaky endpoint). */
  times?: number;
}

export type FaultMap = Record<string, FaultSpec>;

const ALIASES: Record<string, FaultSpec> = {
  fail500: { status: 500 },
  fail502: { status: 502 },
  fail503: { status: 503 },
  fail429: { status: 429, retryAfterSec: 1 },
  timeout: { hang: true },
  slow: { latencyMs: 1000 },
  cut: { cutAfterChunks: 2 },
};

export class FaultSpecError extends Error {}

/** Parses `status=500,retry-after=2,latency=100,hang,cut=3,chunk-delay=5,times=1`; bare `500` / `timeout` work too. */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const raw of text.split(/[,;]/)) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : item.slice(eq + 1).trim();
    const n = (): number => {
      const v = Number(value);
      if (value === '' || !Number.isFinite(v) || v < 0) throw new FaultSpecError(`fault '${key}' needs a non-negative number`);
      return v;
    };
    if (/^\d{3}$/.test(key) && eq === -1) {
      spec.status = Number(key);
      continue;
    }
    switch (key) {
      case 'status':
        spec.status = n();
        if (spec.status < 100 || spec.status > 599) throw new FaultSpecError('fault status must be an HTTP status');
        break;
      case 'retry-after':
        spec.retryAfterSec = n();
        break;
      case 'latency':
      case 'slow':
        spec.latencyMs = value === '' ? 1000 : n();
        break;
      case 'hang':
      case 'timeout':
        spec.hang = true;
        break;
      case 'cut':
        spec.cutAfterChunks = value === '' ? 2 : n();
        break;
      case 'chunk-delay':
        spec.chunkDelayMs = n();
        break;
      case 'times':
        spec.times = n();
        break;
      default:
        if (ALIASES[key]) Object.assign(spec, ALIASES[key]);
        else throw new FaultSpecError(`unknown fault '${key}'`);
    }
  }
  return spec;
}

/** Validates a fault map posted to `/__mock/faults` (JSON objects with the FaultSpec fields). */
export function parseFaultMap(body: unknown): FaultMap {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FaultSpecError('faults must be an object of path prefix → fault');
  const out: FaultMap = {};
  for (const [prefix, value] of Object.entries(body as Record<string, unknown>)) {
    if (!prefix.startsWith('/')) throw new FaultSpecError(`fault prefix '${prefix}' must start with '/'`);
    if (typeof value === 'string') {
      out[prefix] = parseFaultSpec(value);
      continue;
    }
    if (typeof value !== 'object' || value === null) throw new FaultSpecError(`fault for '${prefix}' must be an object or a spec string`);
    const v = value as Record<string, unknown>;
    const spec: FaultSpec = {};
    for (const key of ['status', 'retryAfterSec', 'latencyMs', 'cutAfterChunks', 'chunkDelayMs', 'times'] as const) {
      if (v[key] === undefined) continue;
      if (typeof v[key] !== 'number' || !Number.isFinite(v[key]) || (v[key] as number) < 0) throw new FaultSpecError(`${prefix}.${key} must be a non-negative number`);
      spec[key] = v[key] as number;
    }
    if (v.hang !== undefined) spec.hang = v.hang === true;
    out[prefix] = spec;
  }
  return out;
}

export interface FaultRoute {
  fault: FaultSpec | null;
  /** Key counting `times` (the prefix or spec that matched). */
  key: string | null;
}

/** Finds the fault for a request path (without query) and header; returns null when the request is served normally. */
export function resolveFault(path: string, header: string | undefined, configured: FaultMap): FaultRoute {
  if (header) return { fault: parseFaultSpec(header), key: `header:${header}` };
  const marker = path.indexOf('/fault/');
  if (marker !== -1) {
    const end = path.indexOf('/', marker + 7);
    const spec = decodeURIComponent(path.slice(marker + 7, end === -1 ? undefined : end));
    return { fault: parseFaultSpec(spec), key: `path:${path.slice(0, end === -1 ? undefined : end)}` };
  }
  let best: string | null = null;
  for (const prefix in configured) {
    if ((path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)) && (best === null || prefix.length > best.length)) best = prefix;
  }
  if (best !== null) return { fault: configured[best]!, key: `config:${best}` };
  // Aliases only count as whole leading segments before the API path, e.g. /fail500/v1/chat/completions.
  let start = 1;
  while (start < path.length) {
    const end = path.indexOf('/', start);
    const seg = path.slice(start, end === -1 ? undefined : end);
    const alias = ALIASES[seg];
    if (alias) return { fault: alias, key: `alias:${path.slice(0, end === -1 ? undefined : end)}` };
    if (end === -1) break;
    start = end + 1;
  }
  return { fault: null, key: null };
}
