import { UpstreamError, type ChatChunk, type ChatRequest, type ChatResponse, type Usage } from '../providers';
import type { ModelRoute } from '../catalog';
import { GatewayError, readJsonBody } from '../http';
import { estimateChatCost } from '../spend';
import { ChunkTransformer, transformChatAnswer } from './answers';
import { requireAuditCapacity } from './audit-step';
import { authenticate, requireScope } from './auth';
import { completeChat, openChatStream, settleUsage } from './chat-core';
import type { Exchange } from './exchange';
import { govern, type Governed } from './governance';
import { resolveRoutes } from './model-access';
import type { DataPlaneServices } from './services';
import { reserveSpend } from './spend-step';
import { startEventStream } from './sse';

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

/** How one client API (OpenAI chat completions, Anthropic messages) writes a canonical stream. */
export interface StreamWriter {
  write(chunk: ChatChunk): Promise<void>;
  end(): Promise<void>;
  error(err: GatewayError): Promise<void>;
}

/** What differs between the chat-shaped client APIs; everything else is the one flow below. */
export interface ChatEdge {
  scope: 'chat' | 'messages';
  parse(body: Record<string, unknown>): ChatRequest;
  streamWriter(ex: Exchange, request: ChatRequest, requestedModel: string): StreamWriter;
  render(response: ChatResponse, requestedModel: string): unknown;
}

async function pumpStream(ex: Exchange, services: DataPlaneServices, g: Governed<ChatRequest>, writer: StreamWriter): Promise<void> {
  const { value: chunks, route } = await openChatStream(ex, services, g.request, g.routes);
  const tally = new StreamTally();
  const transformer = ChunkTransformer.for(services.governance, g);
  startEventStream(ex.res);
  try {
    for await (const chunk of chunks) {
      tally.add(chunk);
      await writer.write(transformer ? transformer.push(chunk) : chunk);
      if (ex.clientGone) break;
    }
    if (!ex.clientGone) {
      if (transformer) for (const held of transformer.flush()) await writer.write(held);
      await writer.end();
    } else {
      ex.status = 499; // left between two chunks: not a completed answer
      ex.errorCode = 'client_closed_request';
    }
  } catch (err) {
    const gatewayError = midStreamError(err);
    // A client that hung up is 499 (as before the stream opened), not the 502 of the aborted upstream read.
    ex.status = ex.clientGone ? 499 : gatewayError.status;
    ex.errorCode = ex.clientGone ? 'client_closed_request' : gatewayError.code;
    if (!ex.clientGone) await writer.error(gatewayError);
  } finally {
    if (transformer) ex.outputPiiSummary = transformer.summary;
    settleUsage(ex, services, route, tally.usage, tally.text);
    if (!ex.res.writableEnded) ex.res.end();
  }
}

/**
 * The chat flow shared by every chat-shaped route: authenticate → parse → govern (PII, policy) →
 * reserve spend → route with failover → transform the answer → settle. Runs for denials and
 * failures too, so nothing goes unbooked.
 */
export async function handleChat(ex: Exchange, services: DataPlaneServices, edge: ChatEdge): Promise<void> {
  ex.key = await authenticate(services.keys, ex.req.headers);
  requireScope(ex.key, edge.scope);
  requireAuditCapacity(services.audit);
  const req = edge.parse(await readJsonBody(ex.req, services.bodyLimitBytes));
  ex.model = req.model;
  ex.stream = req.stream === true;
  const candidates = resolveRoutes(services.catalog.current(), ex.key, req.model, 'chat');
  let route: ModelRoute | null = null;
  try {
    const g = await govern(ex, services.governance, 'openai.chat.request', req, candidates);
    await reserveSpend(ex, services, g.spendLimits, estimateChatCost(g.request, g.routes));
    if (ex.stream) return await pumpStream(ex, services, g, edge.streamWriter(ex, g.request, req.model));
    const result = await completeChat(ex, services, g.request, g.routes);
    route = result.route;
    const response = transformChatAnswer(ex, services.governance, g, result.value);
    ex.sendJson(200, edge.render(response, req.model));
    settleUsage(ex, services, route, result.value.usage);
  } catch (err) {
    if (ex.committed) throw err;
    if (err instanceof GatewayError) { ex.status = err.status; ex.errorCode = err.code; }
    settleUsage(ex, services, route, null);
    throw err;
  }
}
