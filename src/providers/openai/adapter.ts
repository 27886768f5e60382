import { UpstreamError } from '../errors';
import { closeOnReturn } from '../http/guard';
import { jsonHeaders } from '../http/headers';
import { bodyChunks, openUpstream, readJson, type UpstreamExchange } from '../http/request';
import { SSEParser, type SSEEvent } from '../http/sse';
import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  ProviderAdapter,
  UpstreamCall,
  Usage,
} from '../types';
import { normaliseOpenAIUsage } from '../usage';

/**
 * How one OpenAI-format API differs from api.openai.com: where requests go, how the key is sent, and which request
 * fields must be rewritten.
 */
export interface OpenAIDialect {
  name: string;
  /** Path (after the base URL's path) and query for an operation. */
  path(op: 'chat/completions' | 'embeddings', call: UpstreamCall): string;
  auth(call: UpstreamCall): Record<string, string>;
  /** Whether the `model` field is sent (Azure deployment URLs name the model in the path). */
  sendsModel(call: UpstreamCall): boolean;
  /**
   * Rewrites for servers that only know the older API surface (vLLM, Ollama, Groq, Together, Mistral...):
   * `developer` role → `system`, `max_completion_tokens` → `max_tokens`.
   */
  legacyFields: boolean;
  /** Whether non-OpenAI sampling fields some clients send (`top_k`) are forwarded; OpenAI rejects them. */
  acceptsTopK: boolean;
}

function bearer(call: UpstreamCall): Record<string, string> {
  return call.target.apiKey ? { authorization: `Bearer ${call.target.apiKey}` } : {};
}

export const OPENAI_DIALECT: OpenAIDialect = {
  name: 'openai',
  path: (op) => `/${op}`,
  auth: bearer,
  sendsModel: () => true,
  legacyFields: false,
  acceptsTopK: false,
};

/** vLLM, Ollama (`/v1`), Together, DeepSeek, Mistral, Groq, LM Studio...: a base URL that ends with `/v1`. */
export const OPENAI_COMPATIBLE_DIALECT: OpenAIDialect = { ...OPENAI_DIALECT, name: 'openai_compatible', legacyFields: true, acceptsTopK: true };

/**
 * Azure OpenAI: `{base}/openai/deployments/{deployment}/{op}?api-version=…` with an `api-key` header, or the
 * version-less v1 surface (`azureApiVersion: 'v1'`): `{base}/openai/v1/{op}` with the model in the body.
 */
export const AZURE_DIALECT: OpenAIDialect = {
  name: 'azure_openai',
  path(op, call) {
    const version = call.target.azureApiVersion;
    if (version === 'v1') return `/openai/v1/${op}`;
    if (!version) {
      throw new UpstreamError(`endpoint ${call.target.id} (azure_openai) has no azureApiVersion configured`, {
        kind: 'protocol',
        retryable: false,
      });
    }
    return `/openai/deployments/${encodeURIComponent(call.upstreamModel)}/${op}?api-version=${encodeURIComponent(version)}`;
  },
  auth(call) {
    const h: Record<string, string> = {};
    if (call.target.apiKey) h['api-key'] = call.target.apiKey;
    return h;
  },
  sendsModel: (call) => call.target.azureApiVersion === 'v1',
  legacyFields: false,
  acceptsTopK: false,
};

/** Builds the JSON body sent upstream: the canonical request with the upstream model and stream flags set. */
export function openAIChatBody(req: ChatRequest, call: UpstreamCall, dialect: OpenAIDialect, stream: boolean): string {
  const body: Record<string, unknown> = { ...req };
  if (dialect.sendsModel(call)) body.model = call.upstreamModel;
  else delete body.model;
  if (stream) {
    body.stream = true;
  } else {
    delete body.stream;
    delete body.stream_options; // OpenAI rejects stream_options without stream
  }
  if (!dialect.acceptsTopK) delete body.top_k;
  if (dialect.legacyFields) {
    if (body.max_completion_tokens !== undefined) {
      if (body.max_tokens === undefined) body.max_tokens = body.max_completion_tokens;
      delete body.max_completion_tokens;
    }
    if (req.messages.some((m) => m.role === 'developer')) {
      body.messages = req.messages.map((m): ChatMessage => (m.role === 'developer' ? { ...m, role: 'system' } : m));
    }
  }
  return JSON.stringify(body);
}

export class OpenAIAdapter implements ProviderAdapter {
  constructor(private readonly dialect: OpenAIDialect) {}

  async chat(req: ChatRequest, call: UpstreamCall): Promise<ChatResponse> {
    const body = openAIChatBody(req, call, this.dialect, false);
    const ex = await openUpstream(call, this.dialect.path('chat/completions', call), jsonHeaders(call, this.dialect.auth(call), false), body);
    const res = (await readJson(ex)) as ChatResponse;
    if (typeof res !== 'object' || res === null || !Array.isArray(res.choices)) {
      throw protocolError(call, 'a chat completion without `choices`');
    }
    if (res.usage !== undefined) {
      const usage = normaliseOpenAIUsage(res.usage);
      if (usage) res.usage = usage;
      else delete res.usage;
    }
    return res;
  }

  async chatStream(req: ChatRequest, call: UpstreamCall): Promise<AsyncIterable<ChatChunk>> {
    const body = openAIChatBody(req, call, this.dialect, true);
    const ex = await openUpstream(call, this.dialect.path('chat/completions', call), jsonHeaders(call, this.dialect.auth(call), true), body);
    return closeOnReturn(openAIChunks(ex, req.stream_options?.include_usage === true), ex);
  }

  async embeddings(req: EmbeddingsRequest, call: UpstreamCall): Promise<EmbeddingsResponse> {
    const payload: Record<string, unknown> = { ...req };
    if (this.dialect.sendsModel(call)) payload.model = call.upstreamModel;
    else delete payload.model;
    const ex = await openUpstream(call, this.dialect.path('embeddings', call), jsonHeaders(call, this.dialect.auth(call), false), JSON.stringify(payload));
    const res = (await readJson(ex)) as EmbeddingsResponse;
    if (typeof res !== 'object' || res === null || !Array.isArray(res.data)) {
      throw protocolError(call, 'an embeddings response without `data`');
    }
    if (typeof res.usage?.prompt_tokens !== 'number') res.usage = { prompt_tokens: 0, total_tokens: 0 };
    else if (typeof res.usage.total_tokens !== 'number') res.usage.total_tokens = res.usage.prompt_tokens;
    return res;
  }
}

function protocolError(call: UpstreamCall, what: string): UpstreamError {
  return new UpstreamError(`${call.target.id} answered with ${what}`, { kind: 'protocol', retryable: true });
}

/**
 * Canonical chunks from an OpenAI-format SSE body. Normalises server quirks: chunks with neither choices nor usage
 * (Azure's prompt_filter_results) are dropped; usage sent inside the last content chunk (Mistral, Groq's
 * `x_groq.usage`, older vLLM) is moved to a separate usage-only chunk; usage chunks are only yielded when the
 * client asked for them. A body that ends without `data: [DONE]` is a cut stream.
 */
async function* openAIChunks(ex: UpstreamExchange, includeUsage: boolean): AsyncGenerator<ChatChunk, void, undefined> {
  const parser = new SSEParser();
  const events: SSEEvent[] = [];
  let pendingUsage: Usage | undefined;
  let last: ChatChunk | undefined;
  let done = false;
  for await (const bytes of bodyChunks(ex)) {
    if (done) continue; // drain to the end so the keep-alive connection is reused
    parser.push(bytes, events);
    for (let i = 0; i < events.length; i++) {
      const data = events[i]!.data;
      if (data === '[DONE]') {
        done = true;
        break;
      }
      const chunk = parseChunk(data, ex);
      if (chunk === undefined) continue;
      const groq = (chunk as { x_groq?: { usage?: unknown } }).x_groq;
      const usage = normaliseOpenAIUsage(chunk.usage ?? groq?.usage);
      if (usage) pendingUsage = usage;
      if (chunk.choices.length === 0) continue; // usage-only or filter-results chunk: re-emitted at the end
      if (usage) chunk.usage = null;
      last = chunk;
      yield chunk;
    }
    events.length = 0;
  }
  if (!done) {
    throw new UpstreamError(`${ex.call.target.id} ended the stream without its [DONE] terminator`, { kind: 'stream_cut' });
  }
  if (includeUsage && pendingUsage) {
    yield {
      id: last?.id ?? '',
      object: 'chat.completion.chunk',
      created: last?.created ?? Math.floor(Date.now() / 1000),
      model: last?.model ?? ex.call.upstreamModel,
      choices: [],
      usage: pendingUsage,
    };
  }
}

function parseChunk(data: string, ex: UpstreamExchange): ChatChunk | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new UpstreamError(`${ex.call.target.id} sent a stream event that is not JSON`, { kind: 'protocol', retryable: true });
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const obj = value as { error?: { message?: unknown; type?: unknown; code?: unknown }; choices?: unknown };
  if (obj.error) {
    // Mid-stream failure reported in-band (OpenAI and vLLM do this): the stream is over.
    const message = typeof obj.error.message === 'string' ? obj.error.message : 'upstream error';
    const code = typeof obj.error.type === 'string' ? obj.error.type : typeof obj.error.code === 'string' ? obj.error.code : undefined;
    throw new UpstreamError(`${ex.call.target.id} failed mid-stream: ${message}`, {
      kind: 'stream_cut',
      providerMessage: message,
      ...(code ? { providerCode: code } : {}),
    });
  }
  if (!Array.isArray(obj.choices)) (obj as { choices: unknown[] }).choices = [];
  return value as ChatChunk;
}
