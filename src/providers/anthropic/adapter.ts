import { UpstreamError } from '../errors';
import { closeOnReturn } from '../http/guard';
import { jsonHeaders } from '../http/headers';
import { bodyChunks, openUpstream, readJson, type UpstreamExchange } from '../http/request';
import { SSEParser, type SSEEvent } from '../http/sse';
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingsResponse, ProviderAdapter, UpstreamCall } from '../types';
import { AnthropicToChatStream, anthropicResponseToChat } from './from-anthropic';
import { chatToAnthropicRequest } from './to-anthropic';
import type { AnthropicMessagesResponse, AnthropicStreamEvent } from './types';

/** The API version header every Anthropic request carries (the stable Messages API). */
export const ANTHROPIC_VERSION = '2023-06-01';

function auth(call: UpstreamCall): Record<string, string> {
  const h: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  if (call.target.apiKey) h['x-api-key'] = call.target.apiKey;
  return h;
}

/** Anthropic Messages API (`{base}/messages`, base usually `https://api.anthropic.com/v1`). */
export class AnthropicAdapter implements ProviderAdapter {
  async chat(req: ChatRequest, call: UpstreamCall): Promise<ChatResponse> {
    const body = JSON.stringify(chatToAnthropicRequest(req, call.upstreamModel, false));
    const ex = await openUpstream(call, '/messages', jsonHeaders(call, auth(call), false), body);
    const msg = (await readJson(ex)) as AnthropicMessagesResponse;
    if (typeof msg !== 'object' || msg === null || !Array.isArray(msg.content)) {
      throw new UpstreamError(`${call.target.id} answered with a message without \`content\``, { kind: 'protocol', retryable: true });
    }
    return anthropicResponseToChat(msg);
  }

  async chatStream(req: ChatRequest, call: UpstreamCall): Promise<AsyncIterable<ChatChunk>> {
    const body = JSON.stringify(chatToAnthropicRequest(req, call.upstreamModel, true));
    const ex = await openUpstream(call, '/messages', jsonHeaders(call, auth(call), true), body);
    return closeOnReturn(anthropicChunks(ex, req.stream_options?.include_usage === true), ex);
  }

  async embeddings(): Promise<EmbeddingsResponse> {
    throw new UpstreamError('Anthropic has no embeddings API; route embeddings models to another endpoint', { kind: 'protocol', retryable: false });
  }
}

async function* anthropicChunks(ex: UpstreamExchange, includeUsage: boolean): AsyncGenerator<ChatChunk, void, undefined> {
  const parser = new SSEParser();
  const events: SSEEvent[] = [];
  const out: ChatChunk[] = [];
  const translator = new AnthropicToChatStream(ex.call.upstreamModel, includeUsage, ex.call.target.id);
  for await (const bytes of bodyChunks(ex)) {
    if (translator.done) continue; // drain to the end so the keep-alive connection is reused
    parser.push(bytes, events);
    for (let i = 0; i < events.length; i++) {
      let ev: AnthropicStreamEvent;
      try {
        ev = JSON.parse(events[i]!.data) as AnthropicStreamEvent;
      } catch {
        throw new UpstreamError(`${ex.call.target.id} sent a stream event that is not JSON`, { kind: 'protocol', retryable: true });
      }
      translator.push(ev, out);
      if (translator.done) break;
    }
    events.length = 0;
    for (let i = 0; i < out.length; i++) yield out[i]!;
    out.length = 0;
  }
  if (!translator.done) {
    throw new UpstreamError(`${ex.call.target.id} ended the stream without message_stop`, { kind: 'stream_cut' });
  }
}
