/**
 * The soak run's samples → the growth verdict. Memory and handles are judged on the samples after warm-up (JIT,
 * caches and connection pools fill up first): least-squares slope per minute, and the change between the medians of
 * the first and last third (robust to a single GC-timing outlier).
 */

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  /** heapUsed was read right after a forced full GC (the live heap). */
  afterGc: boolean;
  activeResources: number;
  sockets: number;
  eventLoopDelayP50Ms: number | null;
  eventLoopDelayP99Ms: number | null;
  /** This window, from the load generator. */
  rps: number;
  errors: number;
  non2xx: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Gateway process CPU in this window, percent of one core. */
  cpuPct: number;
  /** Time the gateway was runnable but waiting for a CPU, percent of the window (machine contention; null if unknown). */
  cpuWaitPct: number | null;
  /** The machine's 1-minute load average at the sample. */
  loadAverage1m: number;
}

export interface Trend {
  /** Least-squares slope, units per minute. */
  perMinute: number;
  /** Median of the last third minus median of the first third. */
  change: number;
  first: number;
  last: number;
}

export interface GrowthLimits {
  /** Live heap: at most this many MiB per minute and this much between first and last third. */
  heapMiBPerMinute: number;
  heapChangeMiB: number;
  /** Active handles and requests: at most this many per minute and this many more between first and last third. */
  handlesPerMinute: number;
  handlesChange: number;
}

export const DEFAULT_LIMITS: GrowthLimits = { heapMiBPerMinute: 0.25, heapChangeMiB: 2, handlesPerMinute: 1, handlesChange: 20 };

export interface Verdict {
  stable: boolean;
  samplesJudged: number;
  heap: Trend | null;
  rss: Trend | null;
  handles: Trend | null;
  reasons: string[];
}

/** Least-squares slope of y over x (0 for fewer than two points or no spread in x). */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0, sy = 0;
  for (const [x, y] of points) { sx += x; sy += y; }
  const mx = sx / n, my = sy / n;
  let num = 0, den = 0;
  for (const [x, y] of points) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Trend of one measure over samples (t in seconds → slope per minute). */
export function trend(samples: readonly SoakSample[], pick: (s: SoakSample) => number): Trend | null {
  if (samples.length < 3) return null;
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = median(samples.slice(0, third).map(pick));
  const last = median(samples.slice(-third).map(pick));
  return { perMinute: slope(samples.map((s) => [s.t / 60, pick(s)] as const)), change: last - first, first, last };
}

/** Growth verdict on the samples taken after `warmupS`. */
export function judge(samples: readonly SoakSample[], warmupS: number, limits: GrowthLimits = DEFAULT_LIMITS): Verdict {
  const judged = samples.filter((s) => s.t >= warmupS);
  const heap = trend(judged, (s) => s.heapUsedMiB);
  const rss = trend(judged, (s) => s.rssMiB);
  const handles = trend(judged, (s) => s.activeResources);
  const reasons: string[] = [];
  if (!heap || !handles) {
    return { stable: false, samplesJudged: judged.length, heap, rss, handles, reasons: ['too few samples after warm-up to judge (run longer)'] };
  }
  if (heap.perMinute > limits.heapMiBPerMinute && heap.change > limits.heapChangeMiB) {
    reasons.push(`heap grows ${heap.perMinute.toFixed(2)} MiB/min (${heap.change.toFixed(1)} MiB first → last third; limits ${limits.heapMiBPerMinute} MiB/min, ${limits.heapChangeMiB} MiB)`);
  }
  // Both a slope and a net change: sockets come and go with the load, so either alone would flag noise.
  if (handles.perMinute > limits.handlesPerMinute && handles.change > limits.handlesChange) {
    reasons.push(`active handles grow ${handles.perMinute.toFixed(2)}/min (${handles.change.toFixed(0)} first → last third; limits ${limits.handlesPerMinute}/min, ${limits.handlesChange})`);
  }
  if (!judged.every((s) => s.afterGc)) reasons.push('note: heap read without a forced GC (start the gateway with --expose-gc): the slope includes garbage');
  const stable = reasons.filter((r) => !r.startsWith('note:')).length === 0;
  return { stable, samplesJudged: judged.length, heap, rss, handles, reasons };
}
