import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of the spend guard, registered on the gateway's registry. */
export class SpendMetrics {
  readonly reservations: Counter<'outcome'>;
  readonly reserveDuration: Histogram<'outcome'>;
  readonly settledUsd: Counter;
  readonly settledTokens: Counter;
  readonly expired: Counter;
  readonly alerts: Counter<'scope' | 'threshold' | 'hard'>;
  readonly hydrations: Counter;
  readonly redisErrors: Counter<'op'>;
  readonly pendingSettlements: Gauge;
  readonly liveReservations: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    // Several guards may share a registry (tests, several instances in one process): reuse metrics.
    const reuse = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
    this.reservations = reuse('gatehouse_spend_reservations_total', () => new Counter({
      name: 'gatehouse_spend_reservations_total', labelNames: ['outcome'], registers,
      help: 'Reservation attempts by outcome (reserved, cap_exceeded, rate_limited, parallel_limited, unavailable, fail_open)',
    }));
    this.reserveDuration = reuse('gatehouse_spend_reserve_duration_seconds', () => new Histogram({
      name: 'gatehouse_spend_reserve_duration_seconds', help: 'Time to reserve against every applicable cap', labelNames: ['outcome'],
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 0.5], registers,
    }));
    this.settledUsd = reuse('gatehouse_spend_settled_usd_total', () => new Counter({ name: 'gatehouse_spend_settled_usd_total', help: 'USD settled to real usage', registers }));
    this.settledTokens = reuse('gatehouse_spend_settled_tokens_total', () => new Counter({ name: 'gatehouse_spend_settled_tokens_total', help: 'Tokens settled to real usage', registers }));
    this.expired = reuse('gatehouse_spend_reservations_expired_total', () => new Counter({
      name: 'gatehouse_spend_reservations_expired_total', help: 'Reservations released because their gateway stopped renewing them', registers,
    }));
    this.alerts = reuse('gatehouse_spend_alerts_total', () => new Counter({
      name: 'gatehouse_spend_alerts_total', help: 'Budget threshold crossings (50/80/100 %)', labelNames: ['scope', 'threshold', 'hard'], registers,
    }));
    this.hydrations = reuse('gatehouse_spend_counter_rebuilds_total', () => new Counter({
      name: 'gatehouse_spend_counter_rebuilds_total', help: 'Cap counters rebuilt from the PostgreSQL ledger', registers,
    }));
    this.redisErrors = reuse('gatehouse_spend_redis_errors_total', () => new Counter({
      name: 'gatehouse_spend_redis_errors_total', help: 'Failed or timed-out Redis operations of the spend guard', labelNames: ['op'], registers,
    }));
    this.pendingSettlements = reuse('gatehouse_spend_pending_settlements', () => new Gauge({
      name: 'gatehouse_spend_pending_settlements', help: 'Settlements waiting for Redis to come back', registers,
    }));
    this.liveReservations = reuse('gatehouse_spend_live_reservations', () => new Gauge({
      name: 'gatehouse_spend_live_reservations', help: 'Reservations held by this instance', registers,
    }));
  }
}
