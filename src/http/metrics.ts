import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one gateway process (a registry per instance keeps tests independent). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly requestDuration: Histogram<'route' | 'status'>;
  readonly upstreamRequests: Counter<'provider' | 'endpoint' | 'outcome'>;
  readonly upstreamDuration: Histogram<'provider' | 'endpoint'>;
  readonly upstreamErrors: Counter<'provider' | 'endpoint' | 'kind'>;
  readonly failovers: Counter<'from_endpoint'>;
  readonly tokens: Counter<'direction' | 'model'>;

  constructor(collectDefaults = true) {
    if (collectDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    const registers = [this.registry];
    this.requests = new Counter({ name: 'gatehouse_requests_total', help: 'Data-plane requests by route and status', labelNames: ['route', 'status'], registers });
    this.requestDuration = new Histogram({
      name: 'gatehouse_request_duration_seconds', help: 'Data-plane request latency (to the last byte)',
      labelNames: ['route', 'status'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    });
    this.upstreamRequests = new Counter({ name: 'gatehouse_upstream_requests_total', help: 'Upstream attempts by endpoint and outcome', labelNames: ['provider', 'endpoint', 'outcome'], registers });
    this.upstreamDuration = new Histogram({
      name: 'gatehouse_upstream_duration_seconds', help: 'Upstream latency until headers', labelNames: ['provider', 'endpoint'], registers,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    });
    this.upstreamErrors = new Counter({ name: 'gatehouse_upstream_errors_total', help: 'Upstream failures by kind', labelNames: ['provider', 'endpoint', 'kind'], registers });
    this.failovers = new Counter({ name: 'gatehouse_failovers_total', help: 'Requests moved to the next endpoint after a retryable failure', labelNames: ['from_endpoint'], registers });
    this.tokens = new Counter({ name: 'gatehouse_tokens_total', help: 'Tokens by direction and model', labelNames: ['direction', 'model'], registers });
  }
}
