import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { ModelRoute } from '../catalog';
import type { GatewayError } from '../http';
import { capExceeded, rateLimited, spendUnavailable, tooManyParallel } from './errors';
import type { SpendEstimate } from './estimate';
import { crossedThresholds, type SpendEvent } from './events';
import { reservationHeaders } from './headers';
import { ledgerTotal } from './ledger-sums';
import type { CapSpec, RateSpec, SpendSubject } from './limits';
import { HYDRATE, REAP, RESERVE, SETTLE } from './lua';
import { SpendMetrics } from './metrics';
import { roundUsd, usdToNanos } from './money';
import { buildPlan, type CapEntry } from './plan';
import { costUsd, type TokenUsage } from './pricing';
import { Reservation, type CapState, type ReservationMeta, type ReserveContext } from './reservation';
import { LuaScript } from './script';
import type { UsageLedger } from './usage-ledger';
import { WindowClock } from './windows';

export interface SpendGuardOptions {
  redis: Redis;
  /** The ledger's database (counters are rebuilt from usage_records). */
  pool: Pool;
  /** Redis key prefix (the gateway's redisPrefix); every key of the guard starts with it. */
  prefix: string;
  /** Let requests through unchecked when Redis is unreachable (default false: deny with 503). */
  failOpen?: boolean;
  /** A reservation not renewed for this long is released (its gateway died). Default 120 s. */
  leaseMs?: number;
  /** How often to release expired reservations; 0 disables the timers (tests drive them). Default 10 s. */
  reapIntervalMs?: number;
  /** Bound on every Redis/PostgreSQL round trip of reserve and settle. Default 1000 ms. */
  timeoutMs?: number;
  /** Settlements kept for retry while Redis is down. Default 10 000. */
  maxPendingSettlements?: number;
  /** Injected clock (ms since epoch). */
  now?: () => number;
  registry?: Registry;
  /** Alerts, expired reservations, unverified spend: hand them to the audit log. Must not throw. */
  onEvent?: (event: SpendEvent) => void;
  /** The ledger writer, flushed before a counter is rebuilt so this instance's recent rows count. */
  ledger?: UsageLedger;
}

/** What settle() booked; write the ledger row with these figures (createdAt: settledAt). */
export interface SettleResult {
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  settledAt: Date;
}

class Unavailable extends Error {}

/** error_code of the ledger row that reconciles a reservation released by the reaper. */
export const EXPIRED_CODE = 'reservation_expired';

/** Relative TTL of a counter (PEXPIRE, not PEXPIREAT: the clock may be injected); 0 = keep forever. */
const ttlUntil = (expireAt: number, now: number): number => (expireAt > 0 ? Math.max(1000, expireAt - now) : 0);

const ZERO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
const RESERVE_SCRIPT = new LuaScript(RESERVE);
const SETTLE_SCRIPT = new LuaScript(SETTLE);
const REAP_SCRIPT = new LuaScript(REAP);
const HYDRATE_SCRIPT = new LuaScript(HYDRATE);

/**
 * Enforces spend caps and rate limits with one atomic Redis script per request: reserve() holds the
 * estimate on every applicable counter or on none (402/429 otherwise), settle() replaces the hold by
 * the real usage. PostgreSQL's ledger is the truth: a counter Redis lost is rebuilt from it before use.
 */
export class SpendGuard {
  readonly metrics: SpendMetrics | null;
  private readonly redis: Redis;
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly failOpen: boolean;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  private readonly onEvent: (event: SpendEvent) => void;
  private readonly ledger: UsageLedger | undefined;
  private readonly clock = new WindowClock();
  private readonly live = new Map<string, Reservation>();
  private readonly hydrating = new Map<string, Promise<void>>();
  private readonly pending: Array<{ reservation: Reservation; args: (string | number)[]; keys: string[] }> = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly keys: { resv: string; lease: string; done: string };
  private retrying = false;
  /** Reservations we gave up on (timeout, lost connection) whose script may still have run: nothing settles them. */
  private readonly orphans = new Set<string>();

  constructor(options: SpendGuardOptions) {
    this.redis = options.redis;
    this.pool = options.pool;
    this.prefix = options.prefix;
    this.failOpen = options.failOpen ?? false;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.maxPending = options.maxPendingSettlements ?? 10_000;
    this.now = options.now ?? Date.now;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.ledger = options.ledger;
    this.metrics = options.registry ? new SpendMetrics(options.registry) : null;
    this.keys = { resv: `${this.prefix}spend:resv`, lease: `${this.prefix}spend:lease`, done: `${this.prefix}spend:done:` };
    const reapEvery = options.reapIntervalMs ?? 10_000;
    if (reapEvery > 0) {
      this.every(reapEvery, () => this.reapExpired());
      this.every(Math.max(1000, Math.floor(this.leaseMs / 3)), () => this.renewLeases());
      this.every(1000, () => this.retryPending());
      this.every(1000, () => this.expireOrphans());
    }
  }

  /**
   * Checks every cap and rate limit that applies and holds the estimate on all of them.
   * Throws GatewayError 402 (hard cap), 429 (rate or parallel limit, with Retry-After) or
   * 503 (Redis unreachable, unless failOpen).
   */
  async reserve(
    subject: SpendSubject, estimate: SpendEstimate, caps: readonly CapSpec[], rates: readonly RateSpec[], context: ReserveContext = {},
  ): Promise<Reservation> {
    const started = performance.now();
    const now = this.now();
    const plan = buildPlan(this.prefix, subject, estimate, caps, rates, this.clock, now);
    const id = randomUUID();
    if (plan.caps.length === 0 && plan.rates.length === 0 && plan.parallel.length === 0) {
      this.observe(started, 'reserved');
      return new Reservation(id, subject, estimate, now, true, plan, [], [], []);
    }
    const meta: ReservationMeta = {
      id, requestId: context.requestId ?? null, orgId: subject.orgId, workspaceId: subject.workspaceId, userId: subject.userId,
      keyId: subject.keyId, tags: subject.tags ?? [], model: context.model ?? null, route: context.route ?? null,
      decisionId: context.decisionId ?? null, estimatedUsd: estimate.usd, estimatedTokens: estimate.tokens, reservedAt: now,
    };
    const keys = [this.keys.resv, this.keys.lease];
    const args: (string | number)[] = [id, now, now + this.leaseMs, JSON.stringify(meta), plan.caps.length, plan.rates.length, plan.parallel.length];
    for (const c of plan.caps) { keys.push(c.key); args.push(c.amount, c.hardLimit, ttlUntil(c.expireAt, now)); }
    for (const r of plan.rates) { keys.push(r.key); args.push(r.cost, r.capacity, r.perMs); }
    for (const p of plan.parallel) { keys.push(p.key); args.push(p.limit); }
    let reply: (number | string)[];
    try {
      for (let attempt = 0; ; attempt++) {
        reply = await this.bounded('reserve', () => RESERVE_SCRIPT.run(this.redis, keys, args)) as (number | string)[];
        if (reply[0] !== 4) break;
        if (attempt >= 3) throw new Unavailable('cap counters could not be rebuilt from the ledger');
        await Promise.all(reply.slice(1).map((i) => this.hydrate(plan.caps[Number(i) - 1], subject)));
      }
    } catch (err) {
      // A script that timed out (or whose reply was lost with the connection) may still have run and would hold
      // the estimate and a parallel slot for its whole lease: its lease is expired at once so the next reap frees it.
      if (this.orphans.size < this.maxPending) this.orphans.add(id);
      void this.expireOrphans().catch(() => undefined);
      this.observe(started, this.failOpen ? 'fail_open' : 'unavailable');
      return this.unverified(id, subject, estimate, now, plan, err, context);
    }
    const denial = this.denial(reply, plan, now);
    if (denial) {
      this.observe(started, denial.outcome);
      throw denial.error;
    }
    const capStates: CapState[] = [];
    let at = 1;
    for (let i = 0; i < plan.caps.length; i++, at += 3) capStates.push({ spent: Number(reply[at]), reserved: Number(reply[at + 1]), generation: String(reply[at + 2]) });
    const rateLeft = reply.slice(at, at + plan.rates.length).map(Number);
    const inFlight = reply.slice(at + plan.rates.length).map(Number);
    const reservation = new Reservation(id, subject, estimate, now, true, plan, capStates, rateLeft, inFlight);
    this.live.set(id, reservation);
    this.metrics?.liveReservations.set(this.live.size);
    this.observe(started, 'reserved');
    return reservation;
  }

  /**
   * Books the real usage (the provider's, or counted tokens for a cut stream) and frees the rest
   * of the hold. Never throws: when Redis is down the settlement is retried once it is back.
   */
  async settle(reservation: Reservation, usage: TokenUsage, route: ModelRoute | null): Promise<SettleResult> {
    const now = this.now();
    const cost = route ? roundUsd(costUsd(route.pricing, usage)) : 0;
    const result: SettleResult = {
      costUsd: cost, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedTokens, settledAt: new Date(now),
    };
    if (reservation.finished) return result;
    reservation.finished = true;
    this.live.delete(reservation.id);
    this.metrics?.liveReservations.set(this.live.size);
    this.metrics?.settledUsd.inc(cost);
    this.metrics?.settledTokens.inc(usage.promptTokens + usage.completionTokens);
    const { plan } = reservation;
    if (plan.caps.length === 0 && plan.rates.length === 0 && plan.parallel.length === 0) return result;
    const costNanos = usdToNanos(cost);
    const tokens = usage.promptTokens + usage.completionTokens;
    const keys = [this.keys.resv, this.keys.lease, this.keys.done + reservation.id];
    const tpm = plan.rates.filter((r) => r.kind === 'tpm');
    const args: (string | number)[] = [reservation.id, now, plan.caps.length, tpm.length, plan.parallel.length];
    plan.caps.forEach((c, i) => {
      keys.push(c.key);
      args.push(reservation.verified ? -c.amount : 0, c.unit === 'usd' ? costNanos : tokens, reservation.caps[i]?.generation ?? '', ttlUntil(c.expireAt, now));
    });
    for (const r of tpm) { keys.push(r.key); args.push(reservation.verified ? r.cost - tokens : -tokens, r.capacity, r.perMs); }
    for (const p of plan.parallel) keys.push(p.key);
    await this.applySettlement(reservation, keys, args);
    return result;
  }

  /** Frees a hold on which nothing was consumed (the request never reached a provider). */
  async release(reservation: Reservation): Promise<void> {
    await this.settle(reservation, ZERO_USAGE, null);
  }

  /** Remaining budget and rate-limit headers for the response of a reserved request. */
  headersFor(reservation: Reservation): Record<string, string> {
    return reservationHeaders(reservation);
  }

  /** Releases reservations whose lease expired (their gateway died). Returns how many. */
  async reapExpired(): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < 10; batch++) {
      const metas = await this.bounded('reap', () => REAP_SCRIPT.run(this.redis, [this.keys.resv, this.keys.lease], [this.now(), 200])) as string[];
      for (const raw of metas) {
        const meta = JSON.parse(raw) as ReservationMeta;
        this.live.delete(meta.id);
        this.metrics?.expired.inc();
        this.recordExpired(meta);
        this.emit({ type: 'spend.reservation_expired', at: new Date(this.now()), reservation: meta });
      }
      total += metas.length;
      if (metas.length < 200) break;
    }
    return total;
  }

  /** Extends the leases of this instance's live reservations (called on a timer). */
  async renewLeases(): Promise<void> {
    if (this.live.size === 0) return;
    const until = this.now() + this.leaseMs;
    const ids = [...this.live.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const args: (string | number)[] = ['XX'];
      for (const id of ids.slice(i, i + 500)) args.push(until, id);
      await this.bounded('renew', () => this.redis.zadd(this.keys.lease, ...(args as [string, ...(string | number)[]])));
    }
  }

  /** Settlements waiting for Redis. */
  get pendingSettlements(): number {
    return this.pending.length;
  }

  /** Retries settlements that failed while Redis was unreachable, oldest first. */
  async retryPending(): Promise<void> {
    if (this.retrying || this.pending.length === 0) return;
    this.retrying = true;
    try {
      while (this.pending.length > 0) {
        const item = this.pending[0];
        const reply = await this.bounded('settle', () => SETTLE_SCRIPT.run(this.redis, item.keys, item.args)) as number[];
        this.pending.shift();
        this.afterSettle(item.reservation, reply, item.args);
      }
    } catch {
      // still down: the next tick tries again
    } finally {
      this.retrying = false;
      this.metrics?.pendingSettlements.set(this.pending.length);
    }
  }

  /**
   * Expires the leases of orphaned reservations (XX: only those the script did create), so the reaper releases
   * them within one interval; retried every second while Redis is unreachable. Sent after the reserve on the same
   * connection, so it cannot overtake a script still queued in Redis.
   */
  async expireOrphans(): Promise<void> {
    if (this.orphans.size === 0 || this.redis.status !== 'ready') return;
    const ids = [...this.orphans];
    const args: (string | number)[] = ['XX'];
    for (const id of ids) args.push(0, id);
    await this.bounded('orphans', () => this.redis.zadd(this.keys.lease, ...(args as [string, ...(string | number)[]])));
    for (const id of ids) this.orphans.delete(id);
  }

  /** Stops the timers; held reservations are left to expire (settle them first for a clean stop). */
  close(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  // ---------------------------------------------------------------------------------------------

  private async applySettlement(reservation: Reservation, keys: string[], args: (string | number)[]): Promise<void> {
    try {
      const reply = await this.bounded('settle', () => SETTLE_SCRIPT.run(this.redis, keys, args)) as number[];
      this.afterSettle(reservation, reply, args);
    } catch {
      if (this.pending.length >= this.maxPending) return; // the ledger still has it; a rebuild recovers it
      this.pending.push({ reservation, keys, args });
      this.metrics?.pendingSettlements.set(this.pending.length);
    }
  }

  /** Emits the alerts of thresholds this settlement crossed (args: the SETTLE arguments). */
  private afterSettle(reservation: Reservation, reply: number[], args: (string | number)[]): void {
    if (reply[0] === -1) return;
    const { plan } = reservation;
    const now = Number(args[1]);
    for (let i = 0; i < plan.caps.length; i++) {
      const after = Number(reply[i + 1]);
      const actual = Number(args[5 + i * 4 + 1]);
      for (const alert of crossedThresholds(plan.caps[i], reservation.subject, after - actual, after, now)) {
        this.metrics?.alerts.inc({ scope: alert.scope, threshold: String(alert.threshold), hard: String(alert.hard) });
        this.emit(alert);
      }
    }
  }

  private denial(reply: (number | string)[], plan: Reservation['plan'], now: number): { error: GatewayError; outcome: string } | null {
    switch (reply[0]) {
      case 0: return null;
      case 1: {
        const entry = plan.caps[Number(reply[1]) - 1];
        return { error: capExceeded(entry, Number(reply[2]), Number(reply[3])), outcome: 'cap_exceeded' };
      }
      case 2: {
        const entry = plan.rates[Number(reply[1]) - 1];
        return { error: rateLimited(entry, Number(reply[2]), Number(reply[3]), now), outcome: 'rate_limited' };
      }
      case 3: {
        const entry = plan.parallel[Number(reply[1]) - 1];
        return { error: tooManyParallel(entry, Number(reply[2])), outcome: 'parallel_limited' };
      }
      default: throw new Error(`unexpected reply from the reserve script: ${String(reply[0])}`);
    }
  }

  private unverified(
    id: string, subject: SpendSubject, estimate: SpendEstimate, now: number, plan: Reservation['plan'], err: unknown, context: ReserveContext,
  ): Reservation {
    const reason = err instanceof Error ? err.message : String(err);
    this.emit({ type: 'spend.unverified', at: new Date(now), subject, failOpen: this.failOpen, reason, requestId: context.requestId ?? null });
    if (!this.failOpen) throw spendUnavailable();
    return new Reservation(id, subject, estimate, now, false, plan, [], [], []);
  }

  /**
   * Reconciles an expired reservation in the ledger: a row at cost 0 (what the provider billed is
   * unknown) with the estimate that was held, so the loss is visible in reports and audits.
   */
  private recordExpired(meta: ReservationMeta): void {
    this.ledger?.record({
      requestId: meta.requestId ?? meta.id, orgId: meta.orgId, workspaceId: meta.workspaceId, apiKeyId: meta.keyId, userId: meta.userId,
      tags: meta.tags, route: meta.route ?? 'unknown', model: meta.model ?? '', endpointId: null, status: 0, stream: false,
      promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0, latencyMs: Math.max(0, this.now() - meta.reservedAt),
      errorCode: EXPIRED_CODE, decisionId: meta.decisionId, reservationId: meta.id, estimatedCostUsd: roundUsd(meta.estimatedUsd),
      createdAt: new Date(this.now()),
    });
  }

  /** Rebuilds one counter from the ledger (once per key at a time in this process). */
  private hydrate(entry: CapEntry, subject: SpendSubject): Promise<void> {
    let running = this.hydrating.get(entry.key);
    if (!running) {
      running = this.rebuildCounter(entry, subject).finally(() => this.hydrating.delete(entry.key));
      this.hydrating.set(entry.key, running);
    }
    return running;
  }

  private async rebuildCounter(entry: CapEntry, subject: SpendSubject): Promise<void> {
    if (this.ledger) await this.bounded('ledger_flush', () => this.ledger!.flush());
    const written = await this.bounded('hydrate', () => this.redis.hget(entry.key, 'c'));
    // Rows before the first settlement into the recreated counter (c) are not in it; without one,
    // everything up to now is. A settlement racing this rebuild sets c and makes HYDRATE ask again.
    let cutoff = written === null ? this.now() + 1 : Math.min(Number(written), this.now() + 1);
    const generation = `${this.now().toString(36)}.${randomBytes(4).toString('hex')}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const total = await this.bounded('ledger', () => ledgerTotal(this.pool, {
        scope: entry.scope, scopeId: entry.scopeId, orgId: subject.orgId, unit: entry.unit, fromMs: entry.bounds.startMs, toMs: cutoff,
      }));
      const reply = await this.bounded('hydrate', () => HYDRATE_SCRIPT.run(this.redis, [entry.key], [cutoff, total, generation, ttlUntil(entry.expireAt, this.now())])) as (number | string)[];
      if (reply[0] === 1) this.metrics?.hydrations.inc();
      if (reply[0] !== 2) return;
      cutoff = Number(reply[1]);
    }
    throw new Unavailable(`counter ${entry.key} kept changing while it was rebuilt`);
  }

  /** Fails fast when Redis is not connected and bounds every round trip. */
  private async bounded<T>(op: string, start: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') {
      this.metrics?.redisErrors.inc({ op });
      throw new Unavailable(`Redis is ${this.redis.status}`);
    }
    const work = start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Unavailable(`${op} took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      work.catch(() => undefined);
      this.metrics?.redisErrors.inc({ op });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private observe(started: number, outcome: string): void {
    if (this.metrics) {
      this.metrics.reservations.inc({ outcome });
      this.metrics.reserveDuration.observe({ outcome }, (performance.now() - started) / 1000);
    }
  }

  private emit(event: SpendEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // an audit sink failure must not break the data plane
    }
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => void task().catch(() => undefined), ms);
    timer.unref();
    this.timers.push(timer);
  }
}
