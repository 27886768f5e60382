import { countTokens } from 'gpt-tokenizer';
import type { ModelRoute } from '../catalog';
import type { ChatMessage, ChatRequest, EmbeddingsRequest, ProviderKind } from '../providers';

/**
 * Token count of a text with the o200k tokenizer (OpenAI's current models). For other model
 * families it is an approximation within a few percent for Latin text, used only where a
 * provider reports no usage (a cut or aborted stream).
 */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length > CACHEABLE_TEXT_CHARS) return countTokens(text);
  let n = tokenCountCache.get(text);
  if (n === undefined) {
    n = countTokens(text);
    // Whole-map reset keeps the bound without LRU bookkeeping on the hot path.
    if (tokenCountCache.size >= TOKEN_CACHE_ENTRIES) tokenCountCache.clear();
    tokenCountCache.set(text, n);
  }
  return n;
}

// Conversations re-send their system prompt and earlier turns with every request, so counts of
// short texts are cached (bounded: at most TOKEN_CACHE_ENTRIES texts of ≤ CACHEABLE_TEXT_CHARS).
const CACHEABLE_TEXT_CHARS = 4096;
const TOKEN_CACHE_ENTRIES = 2000;
const tokenCountCache = new Map<string, number>();

/** The upper bound reserved before a call; settlement replaces it with the real usage. */
export interface SpendEstimate {
  promptTokens: number;
  /** Output tokens the call may produce (max_tokens × n, or the model's maximum). */
  maxOutputTokens: number;
  /** promptTokens + maxOutputTokens. */
  tokens: number;
  usd: number;
}

/**
 * Other tokenizers produce more tokens than o200k for the same text (Claude ≈ 1.15–1.35×,
 * Llama/Mistral/Gemini ≈ 1.05–1.2× on English and code). The reservation is an upper bound, so
 * counts for those families are scaled up by the high end of the range.
 */
const FAMILY_FACTOR: Record<ProviderKind, number> = {
  openai: 1, azure_openai: 1, anthropic: 1.35, gemini: 1.2, openai_compatible: 1.2,
};

// OpenAI's chat format overhead: ~3 tokens per message, 1 per name, 3 to prime the reply.
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
// Images: 85 tokens at low detail; at high/auto detail at most 85 + 170 × 8 tiles (2048×768 after scaling).
const IMAGE_LOW = 85;
const IMAGE_MAX = 1445;
/** When neither the request nor the catalog bounds the output. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** Audio and files are not text: an upper-biased guess from their size (1 token per 1 KB of audio, 1 per 4 bytes of file). */
const base64Bytes = (data: string): number => Math.floor((data.length * 3) / 4);

function contentTokens(content: ChatMessage['content']): number {
  if (content === undefined || content === null) return 0;
  if (typeof content === 'string') return countTextTokens(content);
  let n = 0;
  for (const part of content) {
    switch (part.type) {
      case 'text': n += countTextTokens(part.text); break;
      case 'refusal': n += countTextTokens(part.refusal); break;
      case 'image_url': n += part.image_url.detail === 'low' ? IMAGE_LOW : IMAGE_MAX; break;
      case 'input_audio': n += Math.ceil(base64Bytes(part.input_audio.data) / 1024); break;
      case 'file': n += part.file.file_data ? Math.ceil(base64Bytes(part.file.file_data) / 4) : IMAGE_MAX * 4; break;
    }
  }
  return n;
}

/** Prompt tokens of a chat request in o200k tokens (messages, names, tool calls, tools, response schema). */
export function countChatPromptTokens(req: ChatRequest): number {
  let n = REPLY_PRIMING;
  for (const m of req.messages) {
    n += PER_MESSAGE + contentTokens(m.content);
    if ('name' in m && m.name) n += PER_NAME + countTextTokens(m.name);
    if (m.role === 'assistant' && m.tool_calls) {
      for (const call of m.tool_calls) n += PER_MESSAGE + countTextTokens(call.function.name) + countTextTokens(call.function.arguments);
    }
  }
  // Tool and schema definitions are sent to the model as text; their JSON over-counts slightly (safe side).
  if (req.tools && req.tools.length > 0) n += countTextTokens(JSON.stringify(req.tools));
  if (req.response_format && req.response_format.type === 'json_schema') n += countTextTokens(JSON.stringify(req.response_format.json_schema));
  return n;
}

/** The highest price of each kind among the routes the request may take (failover may pick any). */
function maxPrices(routes: readonly ModelRoute[]): { input: number; output: number; factor: number; maxOutput: number | null } {
  let input = 0, output = 0, factor = 1, maxOutput: number | null = null;
  for (const r of routes) {
    input = Math.max(input, r.pricing.inputPerMTok ?? 0);
    output = Math.max(output, r.pricing.outputPerMTok ?? 0);
    factor = Math.max(factor, FAMILY_FACTOR[r.endpoint.provider] ?? 1.2);
    if (r.maxOutputTokens !== null) maxOutput = Math.max(maxOutput ?? 0, r.maxOutputTokens);
  }
  return { input, output, factor, maxOutput };
}

const asRoutes = (routes: ModelRoute | readonly ModelRoute[]): readonly ModelRoute[] =>
  Array.isArray(routes) ? routes : [routes as ModelRoute];

/**
 * Upper bound of a chat call: prompt tokens (scaled for non-OpenAI tokenizers) plus `max_completion_tokens`
 * / `max_tokens` (or the largest maximum output among the routes, or DEFAULT_MAX_OUTPUT_TOKENS) times `n`,
 * priced at the most expensive candidate route. Cached-input discounts are ignored (cannot be known before).
 */
export function estimateChatCost(
  req: ChatRequest, routes: ModelRoute | readonly ModelRoute[], defaultMaxOutputTokens = DEFAULT_MAX_OUTPUT_TOKENS,
): SpendEstimate {
  const p = maxPrices(asRoutes(routes));
  const promptTokens = Math.ceil(countChatPromptTokens(req) * p.factor);
  const requested = req.max_completion_tokens ?? req.max_tokens;
  let perChoice = typeof requested === 'number' && requested > 0 ? requested : (p.maxOutput ?? defaultMaxOutputTokens);
  if (p.maxOutput !== null) perChoice = Math.min(perChoice, p.maxOutput);
  const choices = typeof req.n === 'number' && req.n > 1 ? Math.floor(req.n) : 1;
  const maxOutputTokens = perChoice * choices;
  return {
    promptTokens, maxOutputTokens, tokens: promptTokens + maxOutputTokens,
    usd: (promptTokens * p.input + maxOutputTokens * p.output) / 1_000_000,
  };
}

/** Embeddings cost is input only; token-id inputs count one token per id. */
export function estimateEmbeddingsCost(req: EmbeddingsRequest, routes: ModelRoute | readonly ModelRoute[]): SpendEstimate {
  const p = maxPrices(asRoutes(routes));
  let tokens = 0;
  const input = req.input;
  if (typeof input === 'string') tokens = countTextTokens(input);
  else for (const item of input) {
    if (typeof item === 'string') tokens += countTextTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  const promptTokens = Math.ceil(tokens * p.factor);
  return { promptTokens, maxOutputTokens: 0, tokens: promptTokens, usd: (promptTokens * p.input) / 1_000_000 };
}

/**
 * Usage of a call the provider never reported (an aborted or cut stream): the estimated prompt
 * (the prompt was sent in full) and the counted output that actually streamed.
 */
export function usageFromPartialOutput(estimate: SpendEstimate, streamedText: string): { promptTokens: number; completionTokens: number; cachedTokens: number } {
  return { promptTokens: estimate.promptTokens, completionTokens: countTextTokens(streamedText), cachedTokens: 0 };
}

/** Nano-dollars of an estimate (what the counters reserve), rounded up to the ledger's precision. */
export const estimateNanos = (e: SpendEstimate): number => (e.usd > 0 ? Math.ceil(e.usd * 1e8 - 1e-6) * 10 : 0);
