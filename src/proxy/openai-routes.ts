import { readJsonBody } from '../http';
import { GatewayError, errorBody } from '../http';
import { estimateEmbeddingsCost } from '../spend';
import { authenticate, requireScope } from './auth';
import { settleUsage, withRoutes, upstreamCall } from './chat-core';
import { handleChat, type ChatEdge } from './chat-flow';
import { govern } from './governance';
import { reserveSpend } from './spend-step';
import { requireAuditCapacity } from './audit-step';
import type { Exchange } from './exchange';
import { keyAllowsModel, resolveRoutes } from './model-access';
import type { DataPlaneServices } from './services';
import { dataFrame, writeFrame } from './sse';
import { parseChatRequest, parseEmbeddingsRequest } from './validation';

const OPENAI_CHAT: ChatEdge = {
  scope: 'chat',
  parse: parseChatRequest,
  streamWriter(ex, request, requestedModel) {
    const wantsUsage = request.stream_options?.include_usage === true;
    return {
      async write(chunk) {
        // Usage is always requested upstream (for the ledger); the client sees it only if it asked.
        if (chunk.choices.length === 0 && chunk.usage && !wantsUsage) return;
        chunk.model = requestedModel;
        await writeFrame(ex.res, dataFrame(JSON.stringify(chunk)));
      },
      end: () => writeFrame(ex.res, 'data: [DONE]\n\n'),
      error: (err) => writeFrame(ex.res, dataFrame(JSON.stringify(errorBody(err, 'openai')))),
    };
  },
  render(response, requestedModel) {
    response.model = requestedModel;
    return response;
  },
};

export const handleChatCompletions = (ex: Exchange, services: DataPlaneServices): Promise<void> => handleChat(ex, services, OPENAI_CHAT);

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
