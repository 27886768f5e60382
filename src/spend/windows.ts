/**
 * Calendar windows of spend caps: day, ISO week (Monday first), month, in UTC or an IANA time
 * zone, and the lifetime window `total`. Boundaries are computed with Intl (DST aware) only when
 * the clock crosses into a new window; in between, a window lookup is two comparisons.
 */

export type CapWindow = 'day' | 'week' | 'month' | 'total';
export const CAP_WINDOWS: readonly CapWindow[] = ['day', 'week', 'month', 'total'];

export interface WindowBounds {
  /** Stable id of the window in its zone: `2025-06-03` (day), `2025-06-02` (week's Monday), `2025-06` (month), `all`. */
  id: string;
  /** First instant of the window (ms since epoch); 0 for `total`. */
  startMs: number;
  /** First instant of the next window; Infinity for `total`. */
  endMs: number;
}

const TOTAL: WindowBounds = Object.freeze({ id: 'all', startMs: 0, endMs: Number.POSITIVE_INFINITY });

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a clear error for a time zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new Error(`unknown time zone "${timeZone}" (use an IANA name such as "UTC" or "Europe/Paris")`);
  }
}

interface LocalParts { y: number; m: number; d: number; hh: number; mm: number; ss: number }

function localParts(ms: number, timeZone: string): LocalParts {
  const out: LocalParts = { y: 0, m: 0, d: 0, hh: 0, mm: 0, ss: 0 };
  for (const p of formatterFor(timeZone).formatToParts(ms)) {
    switch (p.type) {
      case 'year': out.y = Number(p.value); break;
      case 'month': out.m = Number(p.value); break;
      case 'day': out.d = Number(p.value); break;
      case 'hour': out.hh = Number(p.value); break;
      case 'minute': out.mm = Number(p.value); break;
      case 'second': out.ss = Number(p.value); break;
    }
  }
  return out;
}

/** Zone offset at an instant, in ms (local wall clock minus UTC). */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** UTC date fields (y, m 1-based, d) normalised through Date.UTC so day 32 or month 13 roll over. */
function civil(y: number, m: number, d: number): { y: number; m: number; d: number } {
  const t = new Date(Date.UTC(y, m - 1, d));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function sameDate(a: LocalParts, c: { y: number; m: number; d: number }): boolean {
  return a.y === c.y && a.m === c.m && a.d === c.d;
}

/**
 * First instant whose local date in `timeZone` is y-m-d. Local midnight may not exist (a DST gap at
 * 00:00) or exist twice; of the two candidate offsets we keep the earliest instant on that date.
 */
export function startOfLocalDay(y: number, m: number, d: number, timeZone: string): number {
  const date = civil(y, m, d);
  const asUtc = Date.UTC(date.y, date.m - 1, date.d);
  if (timeZone === 'UTC') return asUtc;
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  const candidates = [first, second].filter((t) => sameDate(localParts(t, timeZone), date));
  if (candidates.length > 0) return Math.min(...candidates);
  return Math.max(first, second);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const dateId = (y: number, m: number, d: number): string => `${y}-${pad2(m)}-${pad2(d)}`;

/** Computes the window containing `nowMs`. Prefer `WindowClock`, which caches the result. */
export function computeWindow(window: CapWindow, timeZone: string, nowMs: number): WindowBounds {
  if (window === 'total') return TOTAL;
  const p = timeZone === 'UTC' ? utcParts(nowMs) : localParts(nowMs, timeZone);
  switch (window) {
    case 'day': {
      const next = civil(p.y, p.m, p.d + 1);
      return { id: dateId(p.y, p.m, p.d), startMs: startOfLocalDay(p.y, p.m, p.d, timeZone), endMs: startOfLocalDay(next.y, next.m, next.d, timeZone) };
    }
    case 'week': {
      const weekday = (new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() + 6) % 7; // Monday = 0
      const monday = civil(p.y, p.m, p.d - weekday);
      return {
        id: dateId(monday.y, monday.m, monday.d),
        startMs: startOfLocalDay(monday.y, monday.m, monday.d, timeZone),
        endMs: startOfLocalDay(monday.y, monday.m, monday.d + 7, timeZone),
      };
    }
    case 'month': {
      return { id: `${p.y}-${pad2(p.m)}`, startMs: startOfLocalDay(p.y, p.m, 1, timeZone), endMs: startOfLocalDay(p.y, p.m + 1, 1, timeZone) };
    }
  }
}

function utcParts(ms: number): LocalParts {
  const t = new Date(ms);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), hh: t.getUTCHours(), mm: t.getUTCMinutes(), ss: t.getUTCSeconds() };
}

/**
 * Caches the current window per (window, zone). Lookups for the same window are two comparisons;
 * Intl only runs when the clock leaves the cached window (or goes back, e.g. an injected clock).
 */
export class WindowClock {
  private readonly cache = new Map<string, WindowBounds>();

  window(window: CapWindow, timeZone: string, nowMs: number): WindowBounds {
    if (window === 'total') return TOTAL;
    const cacheKey = timeZone === 'UTC' ? window : `${window}@${timeZone}`;
    const cached = this.cache.get(cacheKey);
    if (cached && nowMs >= cached.startMs && nowMs < cached.endMs) return cached;
    const fresh = computeWindow(window, timeZone, nowMs);
    this.cache.set(cacheKey, fresh);
    return fresh;
  }
}
