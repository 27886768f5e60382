/**
 * Edge translation for the gateway's Anthropic-compatible route: canonical chat response / chunks → Anthropic
 * Messages response / stream events (the sequence the real API emits: message_start, ping, then per content block
 * content_block_start / content_block_delta… / content_block_stop, message_delta with stop reason and usage,
 * message_stop).
 */

import { randomBytes } from 'node:crypto';
import type { ChatChunk, ChatResponse, FinishReason, JsonObject, Usage } from '../types';
import type { AnthropicErrorBody, AnthropicMessagesResponse, AnthropicResponseBlock, AnthropicStopReason, AnthropicStreamEvent, AnthropicUsage } from './types';

export function finishToAnthropicStop(reason: FinishReason | null | undefined): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** OpenAI's prompt_tokens include cached tokens; Anthropic's input_tokens exclude cache reads and writes. */
export function chatUsageToAnthropic(u: Usage | null | undefined, inputTokensFallback = 0): AnthropicUsage {
  if (!u) return { input_tokens: inputTokensFallback, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const read = u.prompt_tokens_details?.cached_tokens ?? 0;
  const write = u.prompt_tokens_details?.cache_creation_tokens ?? 0;
  return {
    input_tokens: Math.max(0, u.prompt_tokens - read - write),
    output_tokens: u.completion_tokens,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}

function messageId(upstreamId: string | undefined): string {
  if (upstreamId && upstreamId.startsWith('msg_')) return upstreamId;
  return `msg_${randomBytes(12).toString('base64url')}`;
}

function parseToolInput(args: string): JsonObject {
  try {
    const v = JSON.parse(args) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as JsonObject;
  } catch {
    // a model that emitted broken JSON: nothing sensible to forward
  }
  return {};
}

export function chatResponseToAnthropic(res: ChatResponse, requestedModel: string): AnthropicMessagesResponse {
  const choice = res.choices[0];
  const content: AnthropicResponseBlock[] = [];
  const text = choice?.message.content ?? choice?.message.refusal;
  if (text) content.push({ type: 'text', text });
  for (const tc of choice?.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseToolInput(tc.function.arguments) });
  }
  return {
    id: messageId(res.id),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: finishToAnthropicStop(choice?.finish_reason),
    stop_sequence: null,
    usage: chatUsageToAnthropic(res.usage),
  };
}

export interface AnthropicStreamTranslatorOptions {
  /** Model name shown to the client (the one it asked for). */
  requestedModel: string;
  /**
   * Input tokens for `message_start` (Anthropic announces them first; OpenAI-format upstreams only report usage at
   * the end). The exact figure is repeated in `message_delta.usage` once known.
   */
  inputTokens?: number;
}

export interface AnthropicStreamTranslator {
  /** Events produced by one canonical chunk (possibly none). */
  push(chunk: ChatChunk): AnthropicStreamEvent[];
  /** Closing events: the open block's stop, message_delta (stop reason + usage) and message_stop. Idempotent. */
  finish(): AnthropicStreamEvent[];
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; toolIndex: number } | null;

class ChatToAnthropicStream implements AnthropicStreamTranslator {
  private started = false;
  private finished = false;
  private open: OpenBlock = null;
  private nextIndex = 0;
  /** Canonical tool-call index → Anthropic content block index. */
  private readonly blockOfTool = new Map<number, number>();
  private finish_: FinishReason | null = null;
  private usage: Usage | null = null;
  private id: string | undefined;

  constructor(private readonly opts: AnthropicStreamTranslatorOptions) {}

  push(chunk: ChatChunk): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    if (this.finished) return out;
    if (!this.started) this.start(chunk.id, out);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return out;
    const d = choice.delta;
    const text = d.content ?? d.refusal;
    if (text) {
      if (this.open?.kind !== 'text') {
        this.closeOpen(out);
        this.open = { kind: 'text', index: this.nextIndex++ };
        out.push({ type: 'content_block_start', index: this.open.index, content_block: { type: 'text', text: '' } });
      }
      out.push({ type: 'content_block_delta', index: this.open.index, delta: { type: 'text_delta', text } });
    }
    if (d.tool_calls) {
      for (const tc of d.tool_calls) {
        let block = this.blockOfTool.get(tc.index);
        if (block === undefined) {
          this.closeOpen(out);
          block = this.nextIndex++;
          this.blockOfTool.set(tc.index, block);
          this.open = { kind: 'tool', index: block, toolIndex: tc.index };
          const id = tc.id ?? `toolu_${randomBytes(12).toString('base64url')}`;
          out.push({ type: 'content_block_start', index: block, content_block: { type: 'tool_use', id, name: tc.function.name ?? '', input: {} } });
        }
        const args = tc.function.arguments;
        // Interleaved argument deltas for an earlier call still carry that call's block index (SDKs key by index).
        if (args) out.push({ type: 'content_block_delta', index: block, delta: { type: 'input_json_delta', partial_json: args } });
      }
    }
    if (choice.finish_reason) this.finish_ = choice.finish_reason;
    return out;
  }

  finish(): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    if (this.finished) return out;
    if (!this.started) this.start(undefined, out);
    this.finished = true;
    this.closeOpen(out);
    out.push({
      type: 'message_delta',
      delta: { stop_reason: finishToAnthropicStop(this.finish_), stop_sequence: null },
      usage: chatUsageToAnthropic(this.usage, this.opts.inputTokens ?? 0),
    });
    out.push({ type: 'message_stop' });
    return out;
  }

  private start(upstreamId: string | undefined, out: AnthropicStreamEvent[]): void {
    this.started = true;
    this.id = messageId(upstreamId);
    out.push({
      type: 'message_start',
      message: {
        id: this.id,
        type: 'message',
        role: 'assistant',
        model: this.opts.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.opts.inputTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    out.push({ type: 'ping' });
  }

  private closeOpen(out: AnthropicStreamEvent[]): void {
    if (this.open) {
      out.push({ type: 'content_block_stop', index: this.open.index });
      this.open = null;
    }
  }
}

export function createAnthropicStreamTranslator(opts: AnthropicStreamTranslatorOptions): AnthropicStreamTranslator {
  return new ChatToAnthropicStream(opts);
}

/** Async form of the translator: canonical chunks in, Anthropic events out (closing events included). */
export async function* chatChunksToAnthropicEvents(
  chunks: AsyncIterable<ChatChunk>,
  opts: AnthropicStreamTranslatorOptions,
): AsyncGenerator<AnthropicStreamEvent, void, undefined> {
  const t = new ChatToAnthropicStream(opts);
  for await (const chunk of chunks) yield* t.push(chunk);
  yield* t.finish();
}

/** One Anthropic SSE frame (`event: <type>` + JSON data). */
export function formatAnthropicSSE(ev: AnthropicStreamEvent): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

/** Anthropic's error type for an HTTP status (what its API sends), for the gateway's `/v1/messages` errors. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 413:
      return status === 413 ? 'request_too_large' : 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function anthropicErrorBody(status: number, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}
