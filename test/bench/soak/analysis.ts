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
  /** Live heap over steady windows: at most this many MiB per minute and this much between first and last third. */
  heapMiBPerMinute: number;
  heapChangeMiB: number;
  /** Active handles idle after the load: at most this many more than idle before it. */
  idleHandlesIncrease: number;
  /** A window is steady when its answered rate is within this share of the offered rate ... */
  rateTolerance: number;
  /** ... it had no error, and its p99 is at most this multiple of the median window p99. */
  p99Factor: number;
}

export const DEFAULT_LIMITS: GrowthLimits = { heapMiBPerMinute: 0.25, heapChangeMiB: 2, idleHandlesIncrease: 5, rateTolerance: 0.05, p99Factor: 4 };

/** Readings of the idle gateway (after a forced GC) before the load and a few seconds after it. */
export interface IdleReadings {
  before: { heapMiB: number; handles: number };
  after: { heapMiB: number; handles: number };
}

export interface Verdict {
  /** `undetermined`: too few steady windows after warm-up (the machine was too busy, or the run too short). */
  outcome: 'stable' | 'growing' | 'undetermined';
  samplesAfterWarmup: number;
  /** Samples after warm-up in which the gateway kept up with the offered rate (the heap is judged on these). */
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

/**
 * Windows in which the gateway kept up: a backlog (a busy machine, a stall) holds requests in flight, and their
 * buffers, sockets and timers look like growth that is only load. Such windows are shown but not judged.
 */
export function steadyWindows(samples: readonly SoakSample[], offeredRps: number, limits: GrowthLimits = DEFAULT_LIMITS): SoakSample[] {
  const p99s = samples.filter((s) => s.errors === 0 && s.non2xx === 0 && s.latencyP99Ms !== null).map((s) => s.latencyP99Ms!);
  const p99Limit = p99s.length ? median(p99s) * limits.p99Factor : Infinity;
  return samples.filter((s) => s.errors === 0 && s.non2xx === 0 && Math.abs(s.rps / offeredRps - 1) <= limits.rateTolerance
    && s.latencyP99Ms !== null && s.latencyP99Ms <= p99Limit);
}

/**
 * Growth verdict: the live heap's trend over the steady windows after `warmupS`, and the idle handle count after
 * the load against before it (under load the handle count follows the requests in flight, so its curve is shown
 * but not judged).
 */
export function judge(samples: readonly SoakSample[], warmupS: number, offeredRps: number, idle: IdleReadings | null, limits: GrowthLimits = DEFAULT_LIMITS): Verdict {
  const afterWarmup = samples.filter((s) => s.t >= warmupS);
  const judged = steadyWindows(afterWarmup, offeredRps, limits);
  const heap = trend(judged, (s) => s.heapUsedMiB);
  const rss = trend(afterWarmup, (s) => s.rssMiB);
  const handles = trend(afterWarmup, (s) => s.activeResources);
  const reasons: string[] = [];
  let growing = false;
  if (heap && heap.perMinute > limits.heapMiBPerMinute && heap.change > limits.heapChangeMiB) {
    growing = true;
    reasons.push(`heap grows ${heap.perMinute.toFixed(2)} MiB/min (${heap.change.toFixed(1)} MiB first → last third; limits ${limits.heapMiBPerMinute} MiB/min, ${limits.heapChangeMiB} MiB)`);
  }
  if (idle && idle.after.handles > idle.before.handles + limits.idleHandlesIncrease) {
    growing = true;
    reasons.push(`idle handles ${idle.before.handles} before the load, ${idle.after.handles} after it (limit +${limits.idleHandlesIncrease})`);
  }
  if (afterWarmup.length > judged.length) {
    reasons.push(`note: ${afterWarmup.length - judged.length} of ${afterWarmup.length} windows after warm-up not judged: the gateway did not keep up with the rate (errors, a backlog or a latency spike)`);
  }
  if (!judged.every((s) => s.afterGc)) reasons.push('note: heap read without a forced GC (start the gateway with --expose-gc): the slope includes garbage');
  if (!heap && !growing) reasons.unshift('too few steady windows after warm-up to judge the heap (run longer, or on a quieter machine)');
  return { outcome: growing ? 'growing' : heap ? 'stable' : 'undetermined', samplesAfterWarmup: afterWarmup.length, samplesJudged: judged.length, heap, rss, handles, reasons };
}
