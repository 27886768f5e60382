import { countTokens } from 'gpt-tokenizer';
import { RequestValidationError, UpstreamError } from '../errors';
import { closeOnReturn } from '../http/guard';
import { jsonHeaders } from '../http/headers';
import { bodyChunks, openUpstream, readJson, type UpstreamExchange } from '../http/request';
import { SSEParser, type SSEEvent } from '../http/sse';
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, ProviderAdapter, UpstreamCall } from '../types';
import { encodeEmbedding } from '../util/embedding-encoding';
import { GeminiToChatStream, geminiResponseToChat } from './from-gemini';
import { chatToGeminiRequest } from './to-gemini';
import type { GeminiBatchEmbedRequest, GeminiBatchEmbedResponse, GeminiGenerateResponse } from './types';

function auth(call: UpstreamCall): Record<string, string> {
  const h: Record<string, string> = {};
  if (call.target.apiKey) h['x-goog-api-key'] = call.target.apiKey;
  return h;
}

/** `models/{model}:{method}`; a model given as `models/x` or `tunedModels/x` is used as is. */
export function geminiModelPath(model: string, method: string): string {
  const name = model.includes('/') ? model : `models/${model}`;
  return `/${name.split('/').map(encodeURIComponent).join('/')}:${method}`;
}

/** Google Gemini API (`{base}` = `https://generativelanguage.googleapis.com/v1beta`). */
export class GeminiAdapter implements ProviderAdapter {
  async chat(req: ChatRequest, call: UpstreamCall): Promise<ChatResponse> {
    const body = JSON.stringify(chatToGeminiRequest(req));
    const ex = await openUpstream(call, geminiModelPath(call.upstreamModel, 'generateContent'), jsonHeaders(call, auth(call), false), body);
    const res = (await readJson(ex)) as GeminiGenerateResponse;
    if (typeof res !== 'object' || res === null) {
      throw new UpstreamError(`${call.target.id} answered with a non-object body`, { kind: 'protocol', retryable: true });
    }
    return geminiResponseToChat(res, call.upstreamModel);
  }

  async chatStream(req: ChatRequest, call: UpstreamCall): Promise<AsyncIterable<ChatChunk>> {
    const body = JSON.stringify(chatToGeminiRequest(req));
    const path = `${geminiModelPath(call.upstreamModel, 'streamGenerateContent')}?alt=sse`;
    const ex = await openUpstream(call, path, jsonHeaders(call, auth(call), true), body);
    return closeOnReturn(geminiChunks(ex, req.n ?? 1, req.stream_options?.include_usage === true), ex);
  }

  async embeddings(req: EmbeddingsRequest, call: UpstreamCall): Promise<EmbeddingsResponse> {
    const inputs = textInputs(req.input);
    const model = call.upstreamModel.includes('/') ? call.upstreamModel : `models/${call.upstreamModel}`;
    const payload: GeminiBatchEmbedRequest = {
      requests: inputs.map((text) => ({
        model,
        content: { parts: [{ text }] },
        ...(req.dimensions !== undefined ? { outputDimensionality: req.dimensions } : {}),
      })),
    };
    const ex = await openUpstream(call, geminiModelPath(call.upstreamModel, 'batchEmbedContents'), jsonHeaders(call, auth(call), false), JSON.stringify(payload));
    const res = (await readJson(ex)) as GeminiBatchEmbedResponse;
    if (typeof res !== 'object' || res === null || !Array.isArray(res.embeddings) || res.embeddings.length !== inputs.length) {
      throw new UpstreamError(`${call.target.id} answered batchEmbedContents without one embedding per input`, { kind: 'protocol', retryable: true });
    }
    // Gemini reports no token usage for embeddings: estimate it with the o200k tokenizer.
    let tokens = 0;
    for (const text of inputs) tokens += countTokens(text);
    return {
      object: 'list',
      data: res.embeddings.map((e, index) => ({ object: 'embedding', index, embedding: encodeEmbedding(e.values, req.encoding_format) })),
      model: call.upstreamModel,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
}

function textInputs(input: EmbeddingsRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((v): v is string => typeof v === 'string')) return input;
  throw new RequestValidationError('Gemini embeddings take text input, not token arrays', 'input');
}

async function* geminiChunks(ex: UpstreamExchange, candidates: number, includeUsage: boolean): AsyncGenerator<ChatChunk, void, undefined> {
  const parser = new SSEParser();
  const events: SSEEvent[] = [];
  const out: ChatChunk[] = [];
  const translator = new GeminiToChatStream(ex.call.upstreamModel, candidates, includeUsage);
  for await (const bytes of bodyChunks(ex)) {
    if (translator.done) continue; // drain to the end so the keep-alive connection is reused
    parser.push(bytes, events);
    for (let i = 0; i < events.length; i++) {
      let ev: GeminiGenerateResponse & { error?: { message?: string; status?: string } };
      try {
        ev = JSON.parse(events[i]!.data) as typeof ev;
      } catch {
        throw new UpstreamError(`${ex.call.target.id} sent a stream event that is not JSON`, { kind: 'protocol', retryable: true });
      }
      if (ev.error) {
        throw new UpstreamError(`${ex.call.target.id} failed mid-stream: ${ev.error.message ?? 'error'}`, {
          kind: 'stream_cut',
          ...(ev.error.message ? { providerMessage: ev.error.message } : {}),
          ...(ev.error.status ? { providerCode: ev.error.status } : {}),
        });
      }
      translator.push(ev, out);
      if (translator.done) break;
    }
    events.length = 0;
    for (let i = 0; i < out.length; i++) yield out[i]!;
    out.length = 0;
  }
  if (!translator.done) {
    throw new UpstreamError(`${ex.call.target.id} ended the stream before a finishReason`, { kind: 'stream_cut' });
  }
}
