import { Pool } from 'undici';

/**
 * One keep-alive undici Pool per (origin, connect timeout), created on first use and reused by every request to
 * that origin. Connect timeout is a pool-level option in undici, hence part of the key.
 */
const pools = new Map<string, Pool>();

/** Parsed base URL, cached so the hot path never re-parses it. */
export interface ParsedBase {
  origin: string;
  /** Path prefix without a trailing slash ('' for none). */
  basePath: string;
  /** Query string of the base URL without '?' ('' for none), kept on every request (some gateways need it). */
  baseQuery: string;
}
const parsedBases = new Map<string, ParsedBase>();

export function parseBaseUrl(baseUrl: string): ParsedBase {
  let parsed = parsedBases.get(baseUrl);
  if (parsed) return parsed;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`invalid provider base URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`provider base URL must be http(s): ${baseUrl}`);
  let basePath = url.pathname;
  while (basePath.endsWith('/')) basePath = basePath.slice(0, -1);
  parsed = { origin: url.origin, basePath, baseQuery: url.search.length > 1 ? url.search.slice(1) : '' };
  if (parsedBases.size > 10_000) parsedBases.clear(); // bounded: base URLs come from the catalog
  parsedBases.set(baseUrl, parsed);
  return parsed;
}

export function poolFor(origin: string, connectMs: number): Pool {
  const key = `${origin}|${connectMs}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, {
      connections: 512,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connect: { timeout: connectMs },
    });
    pools.set(key, pool);
  }
  return pool;
}

/** Closes every upstream pool (graceful shutdown: in-flight requests finish first). */
export async function closeUpstreamPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.allSettled(all.map((p) => p.close()));
}
