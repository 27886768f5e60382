import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Workspace } from '../db';
import { keyLimitsFromRow, type KeyLimitRow, KEY_LIMIT_COLUMNS } from './key-limits';
import { capsForKey, type CapSpec } from './limits';
import type { ReservationMeta } from './reservation';
import { assertTimeZone, computeWindow, type CapWindow } from './windows';

export interface ReportLimit {
  unit: 'usd' | 'tokens';
  limit: number;
  hard: boolean;
  source: string | null;
  /** limit − spent − reserved (never below 0). */
  remaining: number;
}

export interface SpendReportEntry {
  scope: 'workspace' | 'user' | 'key';
  id: string | null;
  /** Key name, user e-mail or workspace slug. */
  name: string | null;
  requests: number;
  spentUsd: number;
  tokens: number;
  /** Held by requests in flight right now; null when Redis could not be read. */
  reservedUsd: number | null;
  reservedTokens: number | null;
  /** Caps of this subject over the report's window (key budgets and the given policy caps). */
  limits: ReportLimit[];
  revoked?: boolean;
}

export interface SpendReport {
  workspace: string;
  window: CapWindow;
  windowId: string;
  timeZone: string;
  from: string | null;
  to: string | null;
  entries: SpendReportEntry[];
}

export interface SpendReportOptions {
  pool: Pool;
  workspace: Workspace;
  window: CapWindow;
  timeZone?: string;
  now?: number;
  /** For in-flight reservations; omit or pass null to report `reserved: null`. */
  redis?: Redis | null;
  prefix?: string;
  /** The workspace's policy caps (capsFromPolicyData(data.spend).caps), to show their limits. */
  policyCaps?: readonly CapSpec[];
}

interface UsageGroup { key_id: string | null; user_id: string | null; grouping: number; usd: string; tokens: string; n: number }

/**
 * Spend of one workspace over the current day/week/month (or lifetime) from the ledger, per
 * workspace, user and key, with what is reserved in flight and the limits that apply.
 */
export async function buildSpendReport(options: SpendReportOptions): Promise<SpendReport> {
  const timeZone = options.timeZone ?? 'UTC';
  assertTimeZone(timeZone);
  const bounds = computeWindow(options.window, timeZone, options.now ?? Date.now());
  const to = Number.isFinite(bounds.endMs) ? new Date(bounds.endMs) : new Date('9999-01-01T00:00:00Z');
  const ws = options.workspace;
  const [usage, keys, reserved] = await Promise.all([
    options.pool.query<UsageGroup>(
      `SELECT api_key_id AS key_id, user_id, GROUPING(api_key_id, user_id)::int AS grouping,
              COALESCE(SUM(cost_usd), 0)::text AS usd, COALESCE(SUM(prompt_tokens::bigint + completion_tokens::bigint), 0)::text AS tokens,
              count(*) FILTER (WHERE error_code IS DISTINCT FROM 'reservation_expired')::int AS n
         FROM usage_records WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3
        GROUP BY GROUPING SETS ((), (api_key_id), (user_id))`,
      [ws.id, new Date(bounds.startMs), to],
    ),
    options.pool.query<KeyLimitRow & { id: string; name: string; user_id: string | null; revoked_at: Date | null }>(
      `SELECT k.id, k.name, k.user_id, k.revoked_at, ${KEY_LIMIT_COLUMNS} FROM api_keys k WHERE k.workspace_id = $1 ORDER BY k.created_at`, [ws.id],
    ),
    options.redis ? reservedInFlight(options.redis, options.prefix ?? '', ws.id).catch(() => null) : Promise.resolve(null),
  ]);
  const userIds = new Set<string>();
  for (const r of usage.rows) if (r.grouping === 2 && r.user_id) userIds.add(r.user_id);
  const emails = new Map<string, string>();
  if (userIds.size > 0) {
    const { rows } = await options.pool.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id = ANY($1::uuid[])', [[...userIds]]);
    for (const u of rows) emails.set(u.id, u.email);
  }
  const policy = options.policyCaps ?? [];
  const inWindow = (c: CapSpec): boolean => c.window === options.window && (c.window === 'total' || (c.timeZone ?? 'UTC') === timeZone);
  const entry = (
    scope: SpendReportEntry['scope'], id: string | null, name: string | null, g: UsageGroup | undefined, caps: readonly CapSpec[],
  ): SpendReportEntry => {
    const spentUsd = g ? Number(g.usd) : 0, tokens = g ? Number(g.tokens) : 0;
    const held = reserved?.get(`${scope}:${id}`) ?? { usd: 0, tokens: 0 };
    return {
      scope, id, name, requests: g?.n ?? 0, spentUsd, tokens,
      reservedUsd: reserved ? held.usd : null, reservedTokens: reserved ? held.tokens : null,
      limits: caps.filter(inWindow).map((c) => ({
        unit: c.unit, limit: c.limit, hard: c.hard, source: c.source ?? null,
        remaining: Math.max(0, c.limit - (c.unit === 'usd' ? spentUsd + held.usd : tokens + held.tokens)),
      })),
    };
  };
  const entries: SpendReportEntry[] = [];
  entries.push(entry('workspace', ws.id, `${ws.orgSlug}/${ws.slug}`, usage.rows.find((r) => r.grouping === 3), policy.filter((c) => c.scope === 'workspace')));
  for (const r of usage.rows) {
    if (r.grouping !== 2 || !r.user_id) continue;
    entries.push(entry('user', r.user_id, emails.get(r.user_id) ?? null, r, policy.filter((c) => c.scope === 'user')));
  }
  for (const k of keys.rows) {
    const own = capsForKey(keyLimitsFromRow(k), timeZone).caps;
    const e = entry('key', k.id, k.name, usage.rows.find((r) => r.grouping === 1 && r.key_id === k.id), [...own, ...policy.filter((c) => c.scope === 'key')]);
    if (k.revoked_at) e.revoked = true;
    entries.push(e);
  }
  return {
    workspace: `${ws.orgSlug}/${ws.slug}`, window: options.window, windowId: bounds.id, timeZone,
    from: bounds.startMs > 0 ? new Date(bounds.startMs).toISOString() : null,
    to: Number.isFinite(bounds.endMs) ? new Date(bounds.endMs).toISOString() : null,
    entries,
  };
}

/** Sums the estimates of live reservations of a workspace, per workspace, user and key. */
async function reservedInFlight(redis: Redis, prefix: string, workspaceId: string): Promise<Map<string, { usd: number; tokens: number }>> {
  const sums = new Map<string, { usd: number; tokens: number }>();
  const add = (k: string, m: ReservationMeta): void => {
    const s = sums.get(k) ?? { usd: 0, tokens: 0 };
    s.usd += m.estimatedUsd; s.tokens += m.estimatedTokens;
    sums.set(k, s);
  };
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(`${prefix}spend:resv`, cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 1; i < flat.length; i += 2) {
      const meta = JSON.parse((JSON.parse(flat[i]) as { m: string }).m) as ReservationMeta;
      if (meta.workspaceId !== workspaceId) continue;
      add(`workspace:${workspaceId}`, meta);
      add(`key:${meta.keyId}`, meta);
      if (meta.userId) add(`user:${meta.userId}`, meta);
    }
  } while (cursor !== '0');
  return sums;
}
