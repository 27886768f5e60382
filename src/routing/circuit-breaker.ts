export interface BreakerOptions {
  /** Retryable failures within `windowMs` that open the circuit. */
  failureThreshold: number;
  /** The window failures are counted in. */
  windowMs: number;
  /** How long an open circuit sends traffic elsewhere before one trial request. */
  openMs: number;
}

const DEFAULTS: BreakerOptions = { failureThreshold: 5, windowMs: 30_000, openMs: 30_000 };

interface EndpointHealth {
  /** Times of recent retryable failures (oldest first), pruned to the window. */
  failures: number[];
  openUntil: number;
  /** Set by a 429's Retry-After: the endpoint asked not to be called before then. */
  coolUntil: number;
  /** While half-open, only one trial request goes through. */
  trialInFlight: boolean;
  /** Exponentially weighted latency to first byte, for the "latency" routing hint. */
  ewmaMs: number | null;
}

/**
 * Per-endpoint health, local to this instance: circuit breakers (N failures in a window open
 * the circuit; after a pause one half-open probe decides), Retry-After cool-downs, and a
 * latency average. An unhealthy endpoint is tried last instead of first, so failover does not
 * pay its timeout on every request.
 */
export class CircuitBreakers {
  private readonly states = new Map<string, EndpointHealth>();
  private readonly options: BreakerOptions;

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  private state(id: string): EndpointHealth {
    let s = this.states.get(id);
    if (!s) {
      s = { failures: [], openUntil: 0, coolUntil: 0, trialInFlight: false, ewmaMs: null };
      this.states.set(id, s);
    }
    return s;
  }

  private isTripped(s: EndpointHealth): boolean {
    return s.openUntil > 0;
  }

  /** True when requests should avoid the endpoint: open, cooling down, or half-open with its probe under way. */
  isOpen(id: string, now = Date.now()): boolean {
    const s = this.states.get(id);
    if (!s) return false;
    if (now < s.coolUntil) return true;
    if (!this.isTripped(s)) return false;
    if (now < s.openUntil) return true;
    return s.trialInFlight;
  }

  /** Marks the start of an attempt; a half-open endpoint lets exactly one through. */
  begin(id: string, now = Date.now()): void {
    const s = this.states.get(id);
    if (s && this.isTripped(s) && now >= s.openUntil) s.trialInFlight = true;
  }

  success(id: string, latencyMs?: number): void {
    const s = this.state(id);
    s.failures.length = 0;
    s.openUntil = 0;
    s.trialInFlight = false;
    if (latencyMs !== undefined) s.ewmaMs = s.ewmaMs === null ? latencyMs : s.ewmaMs * 0.8 + latencyMs * 0.2;
  }

  failure(id: string, now = Date.now(), retryAfterMs?: number): void {
    const s = this.state(id);
    s.trialInFlight = false;
    if (retryAfterMs !== undefined && retryAfterMs > 0) s.coolUntil = Math.max(s.coolUntil, now + retryAfterMs);
    const horizon = now - this.options.windowMs;
    while (s.failures.length && s.failures[0] < horizon) s.failures.shift();
    s.failures.push(now);
    // A failed half-open probe re-opens at once; otherwise N failures in the window open it.
    if (this.isTripped(s) || s.failures.length >= this.options.failureThreshold) s.openUntil = now + this.options.openMs;
  }

  /** Average latency to first byte, or null when unknown. */
  latency(id: string): number | null {
    return this.states.get(id)?.ewmaMs ?? null;
  }

  snapshot(): Record<string, { failures: number; open: boolean; latencyMs: number | null }> {
    const out: Record<string, { failures: number; open: boolean; latencyMs: number | null }> = {};
    for (const [id, s] of this.states) out[id] = { failures: s.failures.length, open: this.isOpen(id), latencyMs: s.ewmaMs };
    return out;
  }
}
