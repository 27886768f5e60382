/** Environment → typed configuration. The only module that reads process.env for the gateway. */

export interface GatewayConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix for every Redis key and channel, so several gateways/tests can share one Redis. */
  redisPrefix: string;
  logLevel: string;
  /** Max accepted request body in bytes (413 above it). */
  bodyLimitBytes: number;
  /** Upstream timeouts applied when an endpoint does not set its own. */
  upstreamTimeouts: { connectMs: number; firstByteMs: number; totalMs: number };
  /** How long a graceful shutdown waits for in-flight requests and streams. */
  shutdownGraceMs: number;
  /** A client must send its request headers within this time (slowloris guard; 408 and closed otherwise). */
  headersTimeoutMs: number;
  /** … and its whole request, body included, within this one (slow-body guard). Responses and streams are not limited. */
  requestTimeoutMs: number;
  /** Key records are cached in memory this long; revocations are pushed at once over pub/sub. */
  keyCacheTtlMs: number;
  mockPort: number;
  demoApiKey?: string;
  /** When Redis cannot verify spend: false (default) refuses with 503, true serves unchecked (audited either way). */
  spendFailOpen: boolean;
  /**
   * `enforce` (default): every request is PII-scanned and decided by the workspace's Rego policy.
   * `off`: neither runs (spend caps, audit and routing still do); for benchmarking and diagnosis only —
   * the gateway warns at start and every audit event names the policy version `off`.
   */
  policyMode: 'enforce' | 'off';
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function policyModeFromEnv(raw: string | undefined): 'enforce' | 'off' {
  if (raw === undefined || raw === '' || raw === 'enforce') return 'enforce';
  if (raw === 'off') return 'off';
  throw new Error(`GATEHOUSE_POLICY_MODE must be "enforce" or "off", got "${raw}"`);
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/gatehouse';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    port: intFromEnv(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    redisPrefix: env.GATEHOUSE_REDIS_PREFIX || 'gh:',
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimitBytes: intFromEnv(env, 'GATEHOUSE_BODY_LIMIT_BYTES', 4 * 1024 * 1024),
    upstreamTimeouts: {
      connectMs: intFromEnv(env, 'GATEHOUSE_UPSTREAM_CONNECT_TIMEOUT_MS', 5_000),
      firstByteMs: intFromEnv(env, 'GATEHOUSE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS', 60_000),
      totalMs: intFromEnv(env, 'GATEHOUSE_UPSTREAM_TOTAL_TIMEOUT_MS', 600_000),
    },
    shutdownGraceMs: intFromEnv(env, 'GATEHOUSE_SHUTDOWN_GRACE_MS', 30_000),
    headersTimeoutMs: intFromEnv(env, 'GATEHOUSE_HEADERS_TIMEOUT_MS', 30_000),
    requestTimeoutMs: intFromEnv(env, 'GATEHOUSE_REQUEST_TIMEOUT_MS', 60_000),
    keyCacheTtlMs: intFromEnv(env, 'GATEHOUSE_KEY_CACHE_TTL_MS', 60_000),
    mockPort: intFromEnv(env, 'GATEHOUSE_MOCK_PORT', 8081),
    demoApiKey: env.GATEHOUSE_DEMO_API_KEY || undefined,
    spendFailOpen: env.GATEHOUSE_SPEND_FAIL_OPEN === 'true',
    policyMode: policyModeFromEnv(env.GATEHOUSE_POLICY_MODE),
  };
}
