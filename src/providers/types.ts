/**
 * Canonical request/response types of the gateway. They follow the OpenAI Chat Completions / Embeddings wire shape
 * (the de-facto lingua franca), so the OpenAI route needs no translation and every other provider API is translated
 * at the edge by its adapter.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------------------------
// Chat messages
// ---------------------------------------------------------------------------------------------------------------

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImageUrlPart {
  type: 'image_url';
  /** An https URL or a `data:<mime>;base64,<data>` URL. */
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export interface InputAudioPart {
  type: 'input_audio';
  input_audio: { data: string; format: string };
}
export interface FilePart {
  type: 'file';
  /** `file_data` is a `data:<mime>;base64,...` URL (OpenAI accepts PDFs this way). */
  file: { file_id?: string; file_data?: string; filename?: string };
}
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
export type UserContentPart = TextPart | ImageUrlPart | InputAudioPart | FilePart;

export interface ToolCall {
  id: string;
  type: 'function';
  /** `arguments` is a JSON text, as produced by the model (it may be invalid JSON). */
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system' | 'developer';
  content: string | TextPart[];
  name?: string;
}
export interface UserMessage {
  role: 'user';
  content: string | UserContentPart[];
  name?: string;
}
export interface AssistantMessage {
  role: 'assistant';
  content?: string | Array<TextPart | RefusalPart> | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
  name?: string;
}
export interface ToolMessage {
  role: 'tool';
  content: string | TextPart[];
  tool_call_id: string;
}
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
export type ChatRole = ChatMessage['role'];

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonObject; strict?: boolean };
}
export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: JsonObject; strict?: boolean } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  stop?: string | string[];
  tools?: ChatTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  presence_penalty?: number;
  frequency_penalty?: number;
  user?: string;
  seed?: number;
  /** Other OpenAI parameters are passed through untouched to OpenAI-format upstreams and dropped elsewhere. */
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Chat responses
// ---------------------------------------------------------------------------------------------------------------

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  /** All input tokens, cached ones included (OpenAI semantics). */
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    /** Input tokens served from the provider's prompt cache (billed at the cached-input price). */
    cached_tokens?: number;
    /** Extension: input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
    cache_creation_tokens?: number;
  };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface ChatResponseMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
}
export interface ChatChoice {
  index: number;
  message: ChatResponseMessage;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}
export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  /** The model name as the upstream reported it; the pipeline may rewrite it to the name the client asked for. */
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments?: string };
}
export interface ChatDelta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: ToolCallDelta[];
  refusal?: string | null;
}
export interface ChatChunkChoice {
  index: number;
  delta: ChatDelta;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}
export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** Empty in the final usage-only chunk (`stream_options.include_usage`). */
  choices: ChatChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------------------------

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
}
export interface Embedding {
  object: 'embedding';
  index: number;
  /** A base64 string of little-endian float32 values when `encoding_format` is `base64`. */
  embedding: number[] | string;
}
export interface EmbeddingsResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

// ---------------------------------------------------------------------------------------------------------------
// Upstream calls
// ---------------------------------------------------------------------------------------------------------------

export type ProviderKind = 'openai' | 'openai_compatible' | 'anthropic' | 'gemini' | 'azure_openai';
export const PROVIDER_KINDS: readonly ProviderKind[] = ['openai', 'openai_compatible', 'anthropic', 'gemini', 'azure_openai'];

export interface EndpointTimeouts {
  /** TCP (+TLS) connection establishment. */
  connectMs: number;
  /** From the start of the upstream call to response headers received (time to first byte; a new connection's setup counts). */
  firstByteMs: number;
  /** Whole exchange, streamed body included. */
  totalMs: number;
  /** Longest silence between body chunks (undici `bodyTimeout`); defaults to `totalMs`. */
  idleMs?: number;
}

/** Everything an adapter needs to call one catalog endpoint. */
export interface EndpointTarget {
  id: string;
  provider: ProviderKind;
  /**
   * Base URL including the API version path where the provider has one:
   * `https://api.openai.com/v1`, `https://api.anthropic.com/v1`,
   * `https://generativelanguage.googleapis.com/v1beta`, `https://<resource>.openai.azure.com` (Azure: no path).
   */
  baseUrl: string;
  /** Resolved secret (the pipeline resolves credential references). */
  apiKey?: string;
  /** Extra headers sent on every request (e.g. `anthropic-beta`, `OpenAI-Organization`). */
  headers?: Record<string, string>;
  /** azure_openai: the `api-version` query parameter. */
  azureApiVersion?: string;
  timeouts: EndpointTimeouts;
}

export interface UpstreamCall {
  target: EndpointTarget;
  /** Model (or Azure deployment) name at the provider; replaces `req.model` in what is sent. */
  upstreamModel: string;
  /** Aborting it (client disconnected) aborts the upstream request and closes its connection. */
  signal: AbortSignal;
  /** Sent upstream as `x-request-id` for correlation. */
  requestId: string;
}

export interface ProviderAdapter {
  chat(req: ChatRequest, call: UpstreamCall): Promise<ChatResponse>;
  /**
   * Resolves once the upstream answered 2xx with a stream (so the caller can fail over before sending anything
   * to its client). Iteration throws `UpstreamError` (`stream_cut`, `timeout`, `aborted`, `protocol`).
   * Stopping iteration early (break/return) closes the upstream request.
   * A final usage-only chunk (empty `choices`) is yielded when `req.stream_options.include_usage` is true.
   */
  chatStream(req: ChatRequest, call: UpstreamCall): Promise<AsyncIterable<ChatChunk>>;
  embeddings(req: EmbeddingsRequest, call: UpstreamCall): Promise<EmbeddingsResponse>;
}

export type UpstreamErrorKind = 'http' | 'timeout' | 'connect' | 'aborted' | 'protocol' | 'stream_cut';
