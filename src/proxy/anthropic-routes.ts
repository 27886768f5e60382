import {
  RequestValidationError, anthropicRequestToChat, chatResponseToAnthropic, createAnthropicStreamTranslator,
  type AnthropicStreamEvent, type ChatRequest,
} from '../providers';
import type { ModelRoute } from '../catalog';
import { readJsonBody } from '../http';
import { GatewayError, badRequest, errorBody } from '../http';
import { authenticate } from './auth';
import { completeChat, openChatStream, settleUsage } from './chat-core';
import type { Exchange } from './exchange';
import { resolveRoutes } from './model-access';
import { StreamTally, midStreamError } from './openai-routes';
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

async function streamMessages(ex: Exchange, services: DataPlaneServices, req: ChatRequest, routes: readonly ModelRoute[]): Promise<void> {
  const { value: chunks, route } = await openChatStream(ex, services, req, routes);
  const translator = createAnthropicStreamTranslator({ requestedModel: req.model });
  const tally = new StreamTally();
  startEventStream(ex.res);
  try {
    for await (const chunk of chunks) {
      tally.add(chunk);
      await writeEvents(ex, translator.push(chunk));
      if (ex.clientGone) break;
    }
    if (!ex.clientGone) await writeEvents(ex, translator.finish());
  } catch (err) {
    const gatewayError = midStreamError(err);
    ex.status = gatewayError.status;
    ex.errorCode = ex.clientGone ? 'client_closed_request' : gatewayError.code;
    if (!ex.clientGone) await writeFrame(ex.res, eventFrame('error', JSON.stringify(errorBody(gatewayError, 'anthropic'))));
  } finally {
    settleUsage(ex, services, route, tally.finalUsage());
    if (!ex.res.writableEnded) ex.res.end();
  }
}

/** Anthropic's Messages API on top of the canonical pipeline: any catalog endpoint can serve it. */
export async function handleMessages(ex: Exchange, services: DataPlaneServices): Promise<void> {
  ex.key = await authenticate(services.keys, ex.req.headers);
  const body = await readJsonBody(ex.req, services.bodyLimitBytes);
  const req = toChatRequest(body);
  ex.model = req.model;
  ex.stream = req.stream === true;
  const routes = resolveRoutes(services.catalog.current(), ex.key, req.model, 'chat');
  if (ex.stream) return streamMessages(ex, services, req, routes);
  let route: ModelRoute | null = null;
  try {
    const result = await completeChat(ex, services, req, routes);
    route = result.route;
    ex.sendJson(200, chatResponseToAnthropic(result.value, req.model));
    settleUsage(ex, services, route, result.value.usage);
  } catch (err) {
    if (err instanceof GatewayError) { ex.status = err.status; ex.errorCode = err.code; }
    settleUsage(ex, services, route, null);
    throw err;
  }
}
