/**
 * Providers module: the canonical (OpenAI-shaped) chat/embeddings types, one adapter per provider API
 * (OpenAI and OpenAI-compatible, Azure OpenAI, Anthropic Messages, Google Gemini) behind `ProviderAdapter`,
 * `UpstreamError` for every upstream failure, the edge translation for the gateway's Anthropic-compatible route,
 * SSE helpers, and the default provider catalog data (plus the demo catalog that points at the mock provider).
 *
 * Adapters resolve `chatStream` once the upstream answered 2xx, so the caller can fail over before it sends anything
 * to its client; errors are `UpstreamError` (kind http/timeout/connect/aborted/protocol/stream_cut, `retryable`).
 * A request a provider cannot take (audio to Anthropic, n>1 to Anthropic...) throws `RequestValidationError` (400).
 */
export * from './types';
export { UpstreamError, RequestValidationError } from './errors';
export type { UpstreamErrorInit } from './errors';
export type * from './anthropic/types';
export { getAdapter } from './registry';
export { closeUpstreamPools } from './http/pool';
export { parseSSE, formatSSE, SSEParser, type SSEEvent } from './http/sse';
export { parseRetryAfter, providerErrorMessage } from './http/request';
export { anthropicRequestToChat } from './anthropic/edge-request';
export {
  chatResponseToAnthropic,
  createAnthropicStreamTranslator,
  chatChunksToAnthropicEvents,
  formatAnthropicSSE,
  anthropicErrorBody,
  anthropicErrorType,
  chatUsageToAnthropic,
  type AnthropicStreamTranslator,
  type AnthropicStreamTranslatorOptions,
} from './anthropic/edge-response';
export { chatToAnthropicRequest, ANTHROPIC_DEFAULT_MAX_TOKENS } from './anthropic/to-anthropic';
export { anthropicResponseToChat, anthropicUsageToChat } from './anthropic/from-anthropic';
export { ANTHROPIC_VERSION } from './anthropic/adapter';
export { chatToGeminiRequest } from './gemini/to-gemini';
export { geminiResponseToChat, geminiUsageToChat } from './gemini/from-gemini';
export { geminiModelPath } from './gemini/adapter';
export { openAIChatBody } from './openai/adapter';
export { defaultCatalogSpecs, demoCatalogSpecs, MOCK_DEMO_KEY } from './catalog/index';
