import { z } from 'zod';
import type { ApiKeyRecord } from '../db';
import { CAP_WINDOWS, assertTimeZone, type CapWindow } from './windows';

/** Who a request is charged to. Tags (team, project, …) let caps apply to groups of keys. */
export interface SpendSubject {
  orgId: string;
  workspaceId: string;
  userId: string | null;
  keyId: string;
  tags?: readonly string[];
}

/** The subject of a request made with this key (tags: e.g. the key's team, from policy or metadata). */
export function subjectFromKey(key: Pick<ApiKeyRecord, 'orgId' | 'workspaceId' | 'userId' | 'id'>, tags?: readonly string[]): SpendSubject {
  return { orgId: key.orgId, workspaceId: key.workspaceId, userId: key.userId, keyId: key.id, tags };
}

/** Puts limit sets together (key + policy); caps naming the same counter are merged by the guard (lowest hard limit wins). */
export function combineLimits(...parts: Array<{ caps: readonly CapSpec[]; rates: readonly RateSpec[] }>): { caps: CapSpec[]; rates: RateSpec[] } {
  return { caps: parts.flatMap((p) => p.caps), rates: parts.flatMap((p) => p.rates) };
}

export type CapScope = 'workspace' | 'user' | 'key' | 'tag';
export type CapUnit = 'usd' | 'tokens';
export const CAP_SCOPES: readonly CapScope[] = ['workspace', 'user', 'key', 'tag'];

/** One spend cap. Hard caps deny (402); soft caps only emit alerts at 50/80/100 %. */
export interface CapSpec {
  scope: CapScope;
  window: CapWindow;
  unit: CapUnit;
  /** USD for `usd`, tokens (input + output) for `tokens`. */
  limit: number;
  hard: boolean;
  /** IANA zone of the calendar window; UTC when absent. Ignored for `total`. */
  timeZone?: string;
  /** The tag a `tag` cap applies to (requests whose subject carries it). */
  tag?: string;
  /** Where the cap came from (`key`, `policy`, …), for messages and reports. */
  source?: string;
}

/** Per-minute rate limits (token buckets refilling continuously) and a parallel-request limit. */
export interface RateSpec {
  scope: 'key' | 'workspace';
  rpm?: number;
  tpm?: number;
  maxParallel?: number;
}

/** Limits stored on an API key (columns of api_keys added by migration 030). */
export interface KeyLimits {
  budgetUsd: number | null;
  budgetWindow: CapWindow | null;
  budgetTokens: number | null;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
}

export const NO_KEY_LIMITS: KeyLimits = Object.freeze({
  budgetUsd: null, budgetWindow: null, budgetTokens: null, rpm: null, tpm: null, maxParallel: null,
});

/** Turns a key's stored limits into specs. Key budgets are hard caps; their window defaults to `month`. */
export function capsForKey(limits: KeyLimits, timeZone?: string): { caps: CapSpec[]; rates: RateSpec[] } {
  const caps: CapSpec[] = [];
  const window = limits.budgetWindow ?? 'month';
  if (limits.budgetUsd !== null) caps.push({ scope: 'key', window, unit: 'usd', limit: limits.budgetUsd, hard: true, timeZone, source: 'key' });
  if (limits.budgetTokens !== null) caps.push({ scope: 'key', window, unit: 'tokens', limit: limits.budgetTokens, hard: true, timeZone, source: 'key' });
  const rates: RateSpec[] = [];
  if (limits.rpm !== null || limits.tpm !== null || limits.maxParallel !== null) {
    rates.push({ scope: 'key', rpm: limits.rpm ?? undefined, tpm: limits.tpm ?? undefined, maxParallel: limits.maxParallel ?? undefined });
  }
  return { caps, rates };
}

// ---------------------------------------------------------------------------------------------
// The `spend` section of a workspace's policy data (JSON, snake_case like the rest of it).
// ---------------------------------------------------------------------------------------------

const positive = z.number().finite().nonnegative();
const perMinute = z.number().int().positive();

const capSchema = z.object({
  scope: z.enum(['workspace', 'user', 'key', 'tag']),
  window: z.enum(['day', 'week', 'month', 'total']),
  usd: positive.optional(),
  tokens: z.number().int().nonnegative().optional(),
  hard: z.boolean().default(true),
  tag: z.string().min(1).max(128).optional(),
  time_zone: z.string().optional(),
}).strict()
  .refine((c) => (c.usd === undefined) !== (c.tokens === undefined), { message: 'a cap sets exactly one of "usd" or "tokens"' })
  .refine((c) => (c.scope === 'tag') === (c.tag !== undefined), { message: '"tag" is required for scope "tag" and only allowed there' });

const rateSchema = z.object({ rpm: perMinute.optional(), tpm: perMinute.optional(), max_parallel: perMinute.optional() }).strict();

export const spendPolicySchema = z.object({
  time_zone: z.string().optional(),
  caps: z.array(capSchema).max(64).default([]),
  rate_limits: z.object({ key: rateSchema.optional(), workspace: rateSchema.optional() }).strict().default({}),
}).strict();

export type SpendPolicyData = z.input<typeof spendPolicySchema>;

/**
 * Reads the `spend` section of policy data (or the decision's `spend_limits`, same shape):
 * ```json
 * { "time_zone": "Europe/Paris",
 *   "caps": [ { "scope": "workspace", "window": "month", "usd": 500 },
 *             { "scope": "user", "window": "day", "usd": 20, "hard": false },
 *             { "scope": "tag", "tag": "team-a", "window": "week", "tokens": 5000000 } ],
 *   "rate_limits": { "key": { "rpm": 60, "tpm": 100000, "max_parallel": 4 }, "workspace": { "rpm": 1000 } } }
 * ```
 * Throws an Error naming the offending path for invalid data. Validate once when policy data is
 * published or loaded, not per request.
 */
export function capsFromPolicyData(section: unknown): { caps: CapSpec[]; rates: RateSpec[] } {
  if (section === undefined || section === null) return { caps: [], rates: [] };
  const parsed = spendPolicySchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid spend policy data at "${['spend', ...issue.path].join('.')}": ${issue.message}`);
  }
  const data = parsed.data;
  if (data.time_zone) assertTimeZone(data.time_zone);
  const caps = data.caps.map((c): CapSpec => {
    const timeZone = c.time_zone ?? data.time_zone;
    if (timeZone) assertTimeZone(timeZone);
    return {
      scope: c.scope, window: c.window, unit: c.usd !== undefined ? 'usd' : 'tokens', limit: c.usd ?? c.tokens!,
      hard: c.hard, timeZone, tag: c.tag, source: 'policy',
    };
  });
  const rates: RateSpec[] = [];
  for (const scope of ['key', 'workspace'] as const) {
    const r = data.rate_limits[scope];
    if (r && (r.rpm || r.tpm || r.max_parallel)) rates.push({ scope, rpm: r.rpm, tpm: r.tpm, maxParallel: r.max_parallel });
  }
  return { caps, rates };
}

/** Validates specs built in code (policy data goes through capsFromPolicyData). Throws on nonsense. */
export function validateSpecs(caps: readonly CapSpec[], rates: readonly RateSpec[]): void {
  for (const c of caps) {
    if (!CAP_SCOPES.includes(c.scope)) throw new Error(`cap scope must be one of ${CAP_SCOPES.join(', ')}, got "${c.scope}"`);
    if (!CAP_WINDOWS.includes(c.window)) throw new Error(`cap window must be one of ${CAP_WINDOWS.join(', ')}, got "${c.window}"`);
    if (c.unit !== 'usd' && c.unit !== 'tokens') throw new Error(`cap unit must be usd or tokens, got "${String(c.unit)}"`);
    if (!Number.isFinite(c.limit) || c.limit < 0) throw new Error(`cap limit must be a non-negative number, got ${c.limit}`);
    if (c.scope === 'tag' && !c.tag) throw new Error('a tag cap needs its tag');
    if (c.timeZone) assertTimeZone(c.timeZone);
  }
  for (const r of rates) {
    for (const [name, v] of [['rpm', r.rpm], ['tpm', r.tpm], ['maxParallel', r.maxParallel]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v <= 0)) throw new Error(`${name} must be a positive integer, got ${v}`);
    }
  }
}
