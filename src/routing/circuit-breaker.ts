export interface BreakerOptions {
  /** Consecutive retryable failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit sends traffic elsewhere before one trial request. */
  openMs: number;
}

interface BreakerState {
  failures: number;
  openUntil: number;
  /** While half-open, only one trial request goes through. */
  trialInFlight: boolean;
}

/**
 * Per-endpoint circuit breakers, local to this instance: an endpoint that keeps failing is
 * tried last instead of first, so failover does not pay its timeout on every request.
 */
export class CircuitBreakers {
  private readonly states = new Map<string, BreakerState>();

  constructor(private readonly options: BreakerOptions = { failureThreshold: 5, openMs: 30_000 }) {}

  private state(id: string): BreakerState {
    let s = this.states.get(id);
    if (!s) {
      s = { failures: 0, openUntil: 0, trialInFlight: false };
      this.states.set(id, s);
    }
    return s;
  }

  /** True when requests should avoid the endpoint (open, or half-open with its trial under way). */
  isOpen(id: string, now = Date.now()): boolean {
    const s = this.states.get(id);
    if (!s || s.failures < this.options.failureThreshold) return false;
    if (now < s.openUntil) return true;
    return s.trialInFlight;
  }

  /** Marks the start of an attempt; a half-open endpoint lets exactly one through. */
  begin(id: string, now = Date.now()): void {
    const s = this.states.get(id);
    if (s && s.failures >= this.options.failureThreshold && now >= s.openUntil) s.trialInFlight = true;
  }

  success(id: string): void {
    const s = this.states.get(id);
    if (s) {
      s.failures = 0;
      s.trialInFlight = false;
    }
  }

  failure(id: string, now = Date.now()): void {
    const s = this.state(id);
    s.failures += 1;
    s.trialInFlight = false;
    if (s.failures >= this.options.failureThreshold) s.openUntil = now + this.options.openMs;
  }

  snapshot(): Record<string, { failures: number; open: boolean }> {
    const out: Record<string, { failures: number; open: boolean }> = {};
    for (const [id, s] of this.states) out[id] = { failures: s.failures, open: this.isOpen(id) };
    return out;
  }
}
