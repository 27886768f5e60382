/**
 * Providers module: the canonical (OpenAI-shaped) chat/embeddings types, one adapter per provider API
 * (OpenAI and OpenAI-compatible, Azure OpenAI, Anthropic Messages, Google Gemini) behind `ProviderAdapter`,
 * `UpstreamError` for every upstream failure, the edge translation for the gateway's Anthropic-compatible route,
 * SSE helpers, and the default provider catalog data (plus the demo catalog that points at the mock provider).
 *
 * Coming in the next commits (names and signatures fixed):
 *   getAdapter(kind: ProviderKind): ProviderAdapter
 *   closeUpstreamPools(): Promise<void>                       // graceful shutdown
 *   anthropicRequestToChat(body: unknown): ChatRequest         // throws RequestValidationError {param}
 *   chatResponseToAnthropic(res: ChatResponse, requestedModel: string): AnthropicMessagesResponse
 *   createAnthropicStreamTranslator(opts: { requestedModel: string; inputTokens?: number })
 *     → { push(chunk: ChatChunk): AnthropicStreamEvent[]; finish(): AnthropicStreamEvent[] }
 *   chatChunksToAnthropicEvents(chunks: AsyncIterable<ChatChunk>, opts) : AsyncIterable<AnthropicStreamEvent>
 *   anthropicErrorBody(status: number, message: string): AnthropicErrorBody
 *   parseSSE(body: AsyncIterable<Uint8Array | string>): AsyncIterable<{ event: string; data: string }>
 *   formatSSE(data: string, event?: string): string
 *   DEFAULT_CATALOG: ProviderCatalog; buildDemoCatalog(mockBaseUrl: string): ProviderCatalog
 */
export * from './types';
export { UpstreamError, RequestValidationError } from './errors';
export type { UpstreamErrorInit } from './errors';
export type * from './anthropic/types';
