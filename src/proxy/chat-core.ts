import { RequestValidationError, type ChatChunk, type ChatRequest, type ChatResponse, type Usage, type UpstreamCall } from '../providers';
import { badRequest } from '../http';
import type { SettledFigures } from './audit-step';
import type { ModelRoute } from '../catalog';
import { NoRouteError, runWithFailover, type AttemptRecord } from '../routing';
import { costUsd, usageFromPartialOutput, type TokenUsage } from '../spend';
import type { Exchange } from './exchange';
import type { DataPlaneServices } from './services';
import { gatewayErrorFromUpstream } from './upstream-errors';

export function upstreamCall(ex: Exchange, route: ModelRoute): UpstreamCall {
  return { target: route.endpoint.target, upstreamModel: route.upstreamModel, signal: ex.abort.signal, requestId: ex.requestId };
}

function observeAttempt(services: DataPlaneServices, record: AttemptRecord, route: ModelRoute): void {
  const labels = { provider: route.endpoint.provider, endpoint: record.endpointId };
  services.metrics.upstreamRequests.inc({ ...labels, outcome: record.ok ? 'ok' : record.error!.kind });
  if (record.ok) services.metrics.upstreamDuration.observe(labels, record.durationMs / 1000);
  else services.metrics.upstreamErrors.inc({ ...labels, kind: record.error!.kind });
}

/** Runs `attempt` across the routes with failover, turning "all failed" into the client's error. */
export async function withRoutes<T>(
  ex: Exchange, services: DataPlaneServices, routes: readonly ModelRoute[], attempt: (route: ModelRoute) => Promise<T>,
): Promise<{ value: T; route: ModelRoute }> {
  try {
    const result = await runWithFailover(routes, attempt, {
      breakers: services.breakers,
      signal: ex.abort.signal,
      order: ex.decision?.routing.sort === 'latency' ? 'latency' : 'priority',
      onAttemptEnd: (record, route) => {
        observeAttempt(services, record, route);
        if (!record.ok) services.metrics.failovers.inc({ from_endpoint: record.endpointId });
      },
    });
    ex.endpointId = result.route.endpoint.id;
    ex.attempts = result.attempts.length;
    if (!ex.committed) {
      ex.res.setHeader('x-gatehouse-endpoint', result.route.endpoint.id);
      if (result.attempts.length > 1) ex.res.setHeader('x-gatehouse-attempts', String(result.attempts.length));
    }
    return { value: result.value, route: result.route };
  } catch (err) {
    if (err instanceof RequestValidationError) throw badRequest(err.message, err.param, 'unsupported_by_provider');
    if (err instanceof NoRouteError) {
      ex.attempts = err.attempts.length;
      ex.endpointId = err.attempts.at(-1)?.endpointId ?? null;
      throw gatewayErrorFromUpstream(err);
    }
    throw err;
  }
}

export const completeChat = (ex: Exchange, services: DataPlaneServices, req: ChatRequest, routes: readonly ModelRoute[]) =>
  withRoutes<ChatResponse>(ex, services, routes, (route) =>
    services.adapterFor(route.endpoint.provider).chat(req, upstreamCall(ex, route)));

/** Opens the stream on the first endpoint that answers 2xx; failover ends once a stream is open. */
export const openChatStream = (ex: Exchange, services: DataPlaneServices, req: ChatRequest, routes: readonly ModelRoute[]) =>
  withRoutes<AsyncIterable<ChatChunk>>(ex, services, routes, (route) =>
    services.adapterFor(route.endpoint.provider).chatStream(
      // Usage is always requested upstream so the ledger is exact; the client only sees it if it asked.
      { ...req, stream: true, stream_options: { ...(req.stream_options ?? {}), include_usage: true } },
      upstreamCall(ex, route)));

/**
 * Books the request's usage: settles its spend hold to the real cost (or counted tokens of a
 * stream the provider never reported usage for) and writes the ledger row. Runs on every path,
 * denials and failures included; never blocks the response.
 */
export function settleUsage(
  ex: Exchange, services: DataPlaneServices, route: ModelRoute | null, usage: Usage | undefined | null, streamedText?: string,
): void {
  const key = ex.key;
  if (!key) return;
  let tokens: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  if (usage) {
    tokens = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 };
  } else if (route && streamedText !== undefined && ex.estimate) {
    tokens = usageFromPartialOutput(ex.estimate, streamedText);
  }
  if (route && (tokens.promptTokens || tokens.completionTokens)) {
    services.metrics.tokens.inc({ direction: 'input', model: route.model }, tokens.promptTokens);
    services.metrics.tokens.inc({ direction: 'output', model: route.model }, tokens.completionTokens);
  }
  const latencyMs = performance.now() - ex.started;
  const record = (cost: number, settledAt?: Date): SettledFigures => {
    services.usage.record({
    requestId: ex.requestId, orgId: key.orgId, workspaceId: key.workspaceId, apiKeyId: key.id, userId: key.userId,
    route: ex.route, model: ex.model, endpointId: route?.endpoint.id ?? ex.endpointId, status: ex.status, stream: ex.stream,
    promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens, cachedTokens: tokens.cachedTokens,
    costUsd: cost, latencyMs, errorCode: ex.errorCode, decisionId: ex.decisionId, reservationId: ex.reservation?.id ?? null,
    estimatedCostUsd: ex.estimate?.usd ?? null, createdAt: settledAt,
    });
    return { costUsd: cost, promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens };
  };
  const reservation = ex.reservation;
  if (!reservation) {
    ex.settlement = Promise.resolve(record(route ? costUsd(route.pricing, tokens) : 0));
    return;
  }
  ex.reservation = null;
  ex.settlement = services.spend.settle(reservation, tokens, route).then(
    (settled) => record(settled.costUsd, settled.settledAt),
    (err) => {
      services.logger.error({ err, requestId: ex.requestId }, 'spend settlement failed');
      return record(route ? costUsd(route.pricing, tokens) : 0);
    },
  );
}
