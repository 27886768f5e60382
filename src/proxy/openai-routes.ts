import type { ChatChunk, ChatRequest, Usage } from '../providers';
import { UpstreamError } from '../providers';
import type { ModelRoute } from '../catalog';
import { readJsonBody } from '../http';
import { GatewayError, errorBody } from '../http';
import { estimateChatCost, estimateEmbeddingsCost } from '../spend';
import { authenticate, requireScope } from './auth';
import { completeChat, openChatStream, settleUsage, withRoutes, upstreamCall } from './chat-core';
import { govern, type Governed } from './governance';
import { reserveSpend } from './spend-step';
import { requireAuditCapacity } from './audit-step';
import { ChunkTransformer, transformChatAnswer } from './answers';
import type { Exchange } from './exchange';
import { keyAllowsModel, resolveRoutes } from './model-access';
import type { DataPlaneServices } from './services';
import { dataFrame, startEventStream, writeFrame } from './sse';
import { parseChatRequest, parseEmbeddingsRequest } from './validation';

/** Collects streamed output text so usage can be counted when the upstream never reports it. */
export class StreamTally {
  text = '';
  usage: Usage | null = null;
  add(chunk: ChatChunk): void {
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices) {
      const d = choice.delta;
      if (d.content) this.text += d.content;
      if (d.tool_calls) for (const t of d.tool_calls) this.text += (t.function.name ?? '') + (t.function.arguments ?? '');
    }
  }
}

export function midStreamError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof UpstreamError) {
    return new GatewayError(`The upstream stream failed: ${err.message}`, {
      status: err.kind === 'timeout' ? 504 : 502, type: 'server_error',
      code: err.kind === 'timeout' ? 'upstream_timeout' : 'upstream_stream_error',
    });
  }
  return new GatewayError('The gateway failed while streaming.', { status: 500, type: 'server_error', code: 'internal_error' });
}

async function streamChat(ex: Exchange, services: DataPlaneServices, g: Governed<ChatRequest>, requestedModel: string): Promise<void> {
  const { value: chunks, route } = await openChatStream(ex, services, g.request, g.routes);
  const wantsUsage = g.request.stream_options?.include_usage === true;
  const tally = new StreamTally();
  const transformer = ChunkTransformer.for(services.governance, g);
  const send = async (chunk: ChatChunk): Promise<void> => {
    chunk.model = requestedModel;
    await writeFrame(ex.res, dataFrame(JSON.stringify(chunk)));
  };
  startEventStream(ex.res);
  try {
    for await (const upstreamChunk of chunks) {
      tally.add(upstreamChunk);
      if (upstreamChunk.choices.length === 0 && upstreamChunk.usage && !wantsUsage) continue;
      await send(transformer ? transformer.push(upstreamChunk) : upstreamChunk);
      if (ex.clientGone) break;
    }
    if (!ex.clientGone) {
      if (transformer) for (const held of transformer.flush()) await send(held);
      await writeFrame(ex.res, 'data: [DONE]\n\n');
    }
  } catch (err) {
    const gatewayError = midStreamError(err);
    ex.status = gatewayError.status;
    ex.errorCode = ex.clientGone ? 'client_closed_request' : gatewayError.code;
    if (!ex.clientGone) await writeFrame(ex.res, dataFrame(JSON.stringify(errorBody(gatewayError, 'openai'))));
  } finally {
    if (transformer) ex.outputPiiSummary = transformer.summary;
    settleUsage(ex, services, route, tally.usage, tally.text);
    if (!ex.res.writableEnded) ex.res.end();
  }
}

export async function handleChatCompletions(ex: Exchange, services: DataPlaneServices): Promise<void> {
  ex.key = await authenticate(services.keys, ex.req.headers);
  requireScope(ex.key, 'chat');
  requireAuditCapacity(services.audit);
  const body = await readJsonBody(ex.req, services.bodyLimitBytes);
  const req = parseChatRequest(body);
  ex.model = req.model;
  ex.stream = req.stream === true;
  const candidates = resolveRoutes(services.catalog.current(), ex.key, req.model, 'chat');
  let route: ModelRoute | null = null;
  try {
    const g = await govern(ex, services.governance, 'openai.chat.request', req, candidates);
    await reserveSpend(ex, services, g.spendLimits, estimateChatCost(g.request, g.routes));
    if (ex.stream) return await streamChat(ex, services, g, req.model);
    const result = await completeChat(ex, services, g.request, g.routes);
    route = result.route;
    const response = transformChatAnswer(ex, services.governance, g, result.value);
    response.model = req.model;
    ex.sendJson(200, response);
    settleUsage(ex, services, route, result.value.usage);
  } catch (err) {
    if (ex.committed) throw err;
    if (err instanceof GatewayError) { ex.status = err.status; ex.errorCode = err.code; }
    settleUsage(ex, services, route, null);
    throw err;
  }
}

export async function handleEmbeddings(ex: Exchange, services: DataPlaneServices): Promise<void> {
  ex.key = await authenticate(services.keys, ex.req.headers);
  requireScope(ex.key, 'embeddings');
  requireAuditCapacity(services.audit);
  const body = await readJsonBody(ex.req, services.bodyLimitBytes);
  const req = parseEmbeddingsRequest(body);
  ex.model = req.model;
  const candidates = resolveRoutes(services.catalog.current(), ex.key, req.model, 'embeddings');
  try {
    const g = await govern(ex, services.governance, 'openai.embeddings.request', req, candidates);
    await reserveSpend(ex, services, g.spendLimits, estimateEmbeddingsCost(g.request, g.routes));
    const { value: response, route } = await withRoutes(ex, services, g.routes, (r) =>
      services.adapterFor(r.endpoint.provider).embeddings(g.request, upstreamCall(ex, r)));
    response.model = req.model;
    ex.sendJson(200, response);
    settleUsage(ex, services, route, { prompt_tokens: response.usage.prompt_tokens, completion_tokens: 0, total_tokens: response.usage.total_tokens });
  } catch (err) {
    if (err instanceof GatewayError) { ex.status = err.status; ex.errorCode = err.code; }
    settleUsage(ex, services, null, null);
    throw err;
  }
}

/** OpenAI's model list, or Anthropic's when the caller is the Anthropic SDK (it sends anthropic-version). */
export async function handleListModels(ex: Exchange, services: DataPlaneServices): Promise<void> {
  ex.key = await authenticate(services.keys, ex.req.headers);
  requireScope(ex.key, 'models');
  const catalog = services.catalog.current();
  const names = catalog.modelNames().filter((m) => keyAllowsModel(ex.key!, m));
  const created = 1_700_000_000;
  if (ex.shape === 'anthropic') {
    const data = names.filter((m) => catalog.routesFor(m)[0]?.kind === 'chat')
      .map((id) => ({ type: 'model', id, display_name: id, created_at: new Date(created * 1000).toISOString() }));
    ex.sendJson(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    return;
  }
  const data = names.map((id) => ({ id, object: 'model', created, owned_by: catalog.routesFor(id)[0].endpoint.provider }));
  ex.sendJson(200, { object: 'list', data });
}
