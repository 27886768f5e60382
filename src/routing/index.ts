/** Routing: candidate ordering, failover across endpoints on retryable failures, circuit breakers. */
export { CircuitBreakers, type BreakerOptions } from './circuit-breaker';
export { runWithFailover, orderRoutes, NoRouteError, type AttemptRecord, type FailoverResult, type FailoverOptions, type RouteOrder } from './failover';
