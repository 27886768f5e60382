import type { CapScope, CapUnit, SpendSubject } from './limits';
import { nanosToUsd } from './money';
import type { CapEntry } from './plan';
import type { ReservationMeta } from './reservation';
import type { CapWindow } from './windows';

export const ALERT_THRESHOLDS = [0.5, 0.8, 1] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

/** Settled spend crossed 50, 80 or 100 % of a cap (hard or soft); emitted once per crossing. */
export interface SpendAlertEvent {
  type: 'spend.alert';
  at: Date;
  subject: SpendSubject;
  scope: CapScope;
  scopeId: string;
  window: CapWindow;
  windowId: string;
  timeZone: string;
  unit: CapUnit;
  threshold: AlertThreshold;
  /** In the cap's unit (USD or tokens), after the settlement that crossed. */
  spent: number;
  limit: number;
  hard: boolean;
  source: string | null;
  resetsAt: string | null;
}

/** A reservation whose gateway stopped renewing it (crashed, or lost Redis) was released. */
export interface ReservationExpiredEvent {
  type: 'spend.reservation_expired';
  at: Date;
  reservation: ReservationMeta;
}

/** Spend could not be verified (Redis unreachable): the request was denied (fail closed) or let through (fail open). */
export interface SpendUnverifiedEvent {
  type: 'spend.unverified';
  at: Date;
  subject: SpendSubject;
  failOpen: boolean;
  reason: string;
  requestId: string | null;
}

export type SpendEvent = SpendAlertEvent | ReservationExpiredEvent | SpendUnverifiedEvent;

/** Alerts for every threshold of every spec on the counter that `before → after` crossed. */
export function crossedThresholds(entry: CapEntry, subject: SpendSubject, before: number, after: number, nowMs: number): SpendAlertEvent[] {
  if (after <= before) return [];
  const out: SpendAlertEvent[] = [];
  for (const spec of entry.specs) {
    const limit = entry.unit === 'usd' ? Math.floor(spec.limit * 1e8) * 10 : Math.floor(spec.limit);
    if (limit <= 0) continue;
    for (const threshold of ALERT_THRESHOLDS) {
      const mark = threshold * limit;
      if (before < mark && after >= mark) {
        out.push({
          type: 'spend.alert', at: new Date(nowMs), subject, scope: entry.scope, scopeId: entry.scopeId, window: entry.window,
          windowId: entry.bounds.id, timeZone: entry.timeZone, unit: entry.unit, threshold,
          spent: entry.unit === 'usd' ? nanosToUsd(after) : after, limit: spec.limit, hard: spec.hard, source: spec.source ?? null,
          resetsAt: Number.isFinite(entry.bounds.endMs) ? new Date(entry.bounds.endMs).toISOString() : null,
        });
      }
    }
  }
  return out;
}
