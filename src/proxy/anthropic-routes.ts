import {
  RequestValidationError, anthropicRequestToChat, chatResponseToAnthropic, createAnthropicStreamTranslator,
  type AnthropicStreamEvent, type ChatRequest,
} from '../providers';
import type { ModelRoute } from '../catalog';
import { readJsonBody } from '../http';
import { GatewayError, badRequest, errorBody } from '../http';
import { authenticate, requireScope } from './auth';
import { completeChat, openChatStream, settleUsage } from './chat-core';
import type { Exchange } from './exchange';
import { resolveRoutes } from './model-access';
import { StreamTally, midStreamError } from './openai-routes';
import { govern, type Governed } from './governance';
import { reserveSpend } from './spend-step';
import { requireAuditCapacity } from './audit-step';
import { estimateChatCost } from '../spend';
import { ChunkTransformer, transformChatAnswer } from './answers';
import type { DataPlaneServices } from './services';
import { eventFrame, startEventStream, writeFrame } from './sse';

function toChatRequest(body: Record<string, unknown>): ChatRequest {
  try {
    return anthropicRequestToChat(body);
  } catch (err) {
    if (err instanceof RequestValidationError) throw badRequest(err.message, err.param);
    throw err;
  }
}

async function writeEvents(ex: Exchange, events: AnthropicStreamEvent[]): Promise<void> {
  for (const event of events) await writeFrame(ex.res, eventFrame(event.type, JSON.stringify(event)));
}

async function streamMessages(ex: Exchange, services: DataPlaneServices, g: Governed<ChatRequest>, requestedModel: string): Promise<void> {
  const { value: chunks, route } = await openChatStream(ex, services, g.request, g.routes);
  const translator = createAnthropicStreamTranslator({ requestedModel });
  const transformer = ChunkTransformer.for(services.governance, g);
  const tally = new StreamTally();
  startEventStream(ex.res);
  try {
    for await (const chunk of chunks) {
      tally.add(chunk);
      await writeEvents(ex, translator.push(transformer ? transformer.push(chunk) : chunk));
      if (ex.clientGone) break;
    }
    if (!ex.clientGone) {
      if (transformer) for (const held of transformer.flush()) await writeEvents(ex, translator.push(held));
      await writeEvents(ex, translator.finish());
    }
  } catch (err) {
    const gatewayError = midStreamError(err);
    ex.status = gatewayError.status;
    ex.errorCode = ex.clientGone ? 'client_closed_request' : gatewayError.code;
    if (!ex.clientGone) await writeFrame(ex.res, eventFrame('error', JSON.stringify(errorBody(gatewayError, 'anthropic'))));
  } finally {
    if (transformer) ex.outputPiiSummary = transformer.summary;
    settleUsage(ex, services, route, tally.usage, tally.text);
    if (!ex.res.writableEnded) ex.res.end();
  }
}

/** Anthropic's Messages API on top of the canonical pipeline: any catalog endpoint can serve it. */
export async function handleMessages(ex: Exchange, services: DataPlaneServices): Promise<void> {
  ex.key = await authenticate(services.keys, ex.req.headers);
  requireScope(ex.key, 'messages');
  requireAuditCapacity(services.audit);
  const body = await readJsonBody(ex.req, services.bodyLimitBytes);
  const req = toChatRequest(body);
  ex.model = req.model;
  ex.stream = req.stream === true;
  const candidates = resolveRoutes(services.catalog.current(), ex.key, req.model, 'chat');
  let route: ModelRoute | null = null;
  try {
    const g = await govern(ex, services.governance, 'openai.chat.request', req, candidates);
    await reserveSpend(ex, services, g.spendLimits, estimateChatCost(g.request, g.routes));
    if (ex.stream) return await streamMessages(ex, services, g, req.model);
    const result = await completeChat(ex, services, g.request, g.routes);
    route = result.route;
    const response = transformChatAnswer(ex, services.governance, g, result.value);
    ex.sendJson(200, chatResponseToAnthropic(response, req.model));
    settleUsage(ex, services, route, result.value.usage);
  } catch (err) {
    if (ex.committed) throw err;
    if (err instanceof GatewayError) { ex.status = err.status; ex.errorCode = err.code; }
    settleUsage(ex, services, route, null);
    throw err;
  }
}
