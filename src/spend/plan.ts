import type { SpendEstimate } from './estimate';
import { estimateNanos } from './estimate';
import type { CapSpec, CapUnit, RateSpec, SpendSubject } from './limits';
import { usdLimitToNanos } from './money';
import type { WindowBounds, WindowClock } from './windows';

/** Counters outlive their window by this much, so late settlements still land in them. */
const COUNTER_GRACE_MS = 2 * 86_400_000;

/** One cap counter the request is charged to (caps naming the same counter are merged). */
export interface CapEntry {
  key: string;
  scope: CapSpec['scope'];
  /** Workspace/user/key id, or the tag. */
  scopeId: string;
  unit: CapUnit;
  window: CapSpec['window'];
  timeZone: string;
  bounds: WindowBounds;
  /** The amount held: nano-dollars or tokens. */
  amount: number;
  /** Lowest hard limit in counter units, or -1 when only soft caps use this counter. */
  hardLimit: number;
  /** Every spec on this counter (soft ones too), for alerts and headers. */
  specs: CapSpec[];
  expireAt: number;
}

export interface RateEntry {
  key: string;
  scope: RateSpec['scope'];
  kind: 'rpm' | 'tpm';
  cost: number;
  capacity: number;
  perMs: number;
}

export interface ParallelEntry {
  key: string;
  scope: RateSpec['scope'];
  limit: number;
}

export interface ReservePlan {
  caps: CapEntry[];
  rates: RateEntry[];
  parallel: ParallelEntry[];
}

function scopeIdOf(cap: CapSpec, subject: SpendSubject): string | null {
  switch (cap.scope) {
    case 'workspace': return subject.workspaceId;
    case 'user': return subject.userId;
    case 'key': return subject.keyId;
    case 'tag': return cap.tag && subject.tags?.includes(cap.tag) ? cap.tag : null;
  }
}

/** The Redis key of a cap counter; tags are per organisation. Exposed for reports and tests. */
export function capCounterKey(
  prefix: string, scope: CapSpec['scope'], scopeId: string, orgId: string, unit: CapUnit, window: CapSpec['window'], timeZone: string, windowId: string,
): string {
  const who = scope === 'tag' ? `tag:${orgId}:${scopeId}` : `${scope}:${scopeId}`;
  const zone = window === 'total' || timeZone === 'UTC' ? '' : `@${timeZone}`;
  return `${prefix}spend:c:${who}:${unit}:${window}${zone}:${windowId}`;
}

/**
 * Resolves the specs that apply to this subject into the counters, buckets and parallel slots to
 * hold. Caps for a user-less key skip user caps; tag caps apply only to subjects with the tag.
 */
export function buildPlan(
  prefix: string, subject: SpendSubject, estimate: SpendEstimate, caps: readonly CapSpec[], rates: readonly RateSpec[],
  clock: WindowClock, nowMs: number,
): ReservePlan {
  const plan: ReservePlan = { caps: [], rates: [], parallel: [] };
  const usdNanos = estimateNanos(estimate);
  for (const cap of caps) {
    const scopeId = scopeIdOf(cap, subject);
    if (scopeId === null) continue;
    const timeZone = cap.timeZone ?? 'UTC';
    const bounds = clock.window(cap.window, timeZone, nowMs);
    const key = capCounterKey(prefix, cap.scope, scopeId, subject.orgId, cap.unit, cap.window, timeZone, bounds.id);
    const limit = cap.unit === 'usd' ? usdLimitToNanos(cap.limit) : Math.floor(cap.limit);
    const existing = plan.caps.find((e) => e.key === key);
    if (existing) {
      existing.specs.push(cap);
      if (cap.hard) existing.hardLimit = existing.hardLimit < 0 ? limit : Math.min(existing.hardLimit, limit);
      continue;
    }
    plan.caps.push({
      key, scope: cap.scope, scopeId, unit: cap.unit, window: cap.window, timeZone, bounds,
      amount: cap.unit === 'usd' ? usdNanos : estimate.tokens,
      hardLimit: cap.hard ? limit : -1, specs: [cap],
      expireAt: Number.isFinite(bounds.endMs) ? bounds.endMs + COUNTER_GRACE_MS : 0,
    });
  }
  for (const rate of rates) {
    const id = rate.scope === 'key' ? subject.keyId : subject.workspaceId;
    const base = `${prefix}spend:rl:${rate.scope}:${id}`;
    addRate(plan, `${base}:rpm`, rate.scope, 'rpm', 1, rate.rpm);
    addRate(plan, `${base}:tpm`, rate.scope, 'tpm', estimate.tokens, rate.tpm);
    if (rate.maxParallel !== undefined) {
      const key = `${prefix}spend:par:${rate.scope}:${id}`;
      const existing = plan.parallel.find((p) => p.key === key);
      if (existing) existing.limit = Math.min(existing.limit, rate.maxParallel);
      else plan.parallel.push({ key, scope: rate.scope, limit: rate.maxParallel });
    }
  }
  return plan;
}

function addRate(plan: ReservePlan, key: string, scope: RateSpec['scope'], kind: 'rpm' | 'tpm', cost: number, perMinute: number | undefined): void {
  if (perMinute === undefined) return;
  const existing = plan.rates.find((r) => r.key === key);
  if (existing) {
    if (perMinute < existing.capacity) { existing.capacity = perMinute; existing.perMs = perMinute / 60_000; }
    return;
  }
  plan.rates.push({ key, scope, kind, cost, capacity: perMinute, perMs: perMinute / 60_000 });
}
