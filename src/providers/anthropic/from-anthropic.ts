/** Anthropic Messages response / stream events → canonical chat response / chunks (Anthropic upstream adapter). */

import { UpstreamError } from '../errors';
import type { ChatChunk, ChatDelta, ChatResponse, FinishReason, ToolCall, Usage } from '../types';
import type { AnthropicMessagesResponse, AnthropicStopReason, AnthropicStreamEvent, AnthropicUsage } from './types';

export function anthropicStopToFinish(reason: AnthropicStopReason | null | undefined): FinishReason | null {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return reason ? 'stop' : null;
  }
}

/** Anthropic counts cache reads/writes apart from `input_tokens`; OpenAI's `prompt_tokens` includes them. */
export function anthropicUsageToChat(u: Partial<AnthropicUsage> | undefined): Usage {
  const input = u?.input_tokens ?? 0;
  const cacheRead = u?.cache_read_input_tokens ?? 0;
  const cacheWrite = u?.cache_creation_input_tokens ?? 0;
  const output = u?.output_tokens ?? 0;
  const prompt = input + cacheRead + cacheWrite;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output };
  if (cacheRead > 0 || cacheWrite > 0) {
    usage.prompt_tokens_details = { cached_tokens: cacheRead, ...(cacheWrite > 0 ? { cache_creation_tokens: cacheWrite } : {}) };
  }
  return usage;
}

export function anthropicResponseToChat(msg: AnthropicMessagesResponse, created = Math.floor(Date.now() / 1000)): ChatResponse {
  let text: string | null = null;
  let toolCalls: ToolCall[] | undefined;
  for (const block of msg.content) {
    if (block.type === 'text') text = text === null ? block.text : text + block.text;
    else if (block.type === 'tool_use') {
      (toolCalls ??= []).push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
    // thinking / redacted_thinking blocks have no canonical counterpart
  }
  return {
    id: msg.id,
    object: 'chat.completion',
    created,
    model: msg.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        finish_reason: anthropicStopToFinish(msg.stop_reason),
      },
    ],
    usage: anthropicUsageToChat(msg.usage),
  };
}

/**
 * Stateful Anthropic stream event → canonical chunk translator. `push` returns the chunks an event produces
 * (often one, sometimes none); `done` is true once `message_stop` arrived.
 */
export class AnthropicToChatStream {
  done = false;
  private id = '';
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: Partial<AnthropicUsage> = {};
  /** Anthropic content block index → canonical tool call index. */
  private readonly toolIndexOfBlock = new Map<number, number>();
  private toolCount = 0;

  constructor(
    upstreamModel: string,
    private readonly includeUsage: boolean,
    private readonly endpointId: string,
  ) {
    this.model = upstreamModel;
  }

  push(ev: AnthropicStreamEvent, out: ChatChunk[]): void {
    switch (ev.type) {
      case 'message_start':
        this.id = ev.message.id;
        this.model = ev.message.model || this.model;
        this.usage = { ...ev.message.usage };
        out.push(this.chunk({ role: 'assistant', content: '' }, null));
        return;
      case 'content_block_start': {
        const b = ev.content_block;
        if (b.type === 'text') {
          if (b.text) out.push(this.chunk({ content: b.text }, null));
        } else if (b.type === 'tool_use') {
          const index = this.toolCount++;
          this.toolIndexOfBlock.set(ev.index, index);
          const initial = b.input && Object.keys(b.input).length > 0 ? JSON.stringify(b.input) : '';
          out.push(this.chunk({ tool_calls: [{ index, id: b.id, type: 'function', function: { name: b.name, arguments: initial } }] }, null));
        }
        return;
      }
      case 'content_block_delta': {
        const d = ev.delta;
        if (d.type === 'text_delta') {
          out.push(this.chunk({ content: d.text }, null));
        } else if (d.type === 'input_json_delta') {
          const index = this.toolIndexOfBlock.get(ev.index);
          if (index !== undefined && d.partial_json) out.push(this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] }, null));
        }
        return;
      }
      case 'message_delta':
        // message_delta usage is cumulative; newer API versions repeat input/cache counts there too.
        for (const k in ev.usage) {
          const v = ev.usage[k as keyof AnthropicUsage];
          if (typeof v === 'number') (this.usage as Record<string, number>)[k] = v;
        }
        out.push(this.chunk({}, anthropicStopToFinish(ev.delta.stop_reason) ?? 'stop'));
        return;
      case 'message_stop':
        this.done = true;
        if (this.includeUsage) {
          out.push({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: anthropicUsageToChat(this.usage) });
        }
        return;
      case 'error':
        throw new UpstreamError(`${this.endpointId} failed mid-stream: ${ev.error?.message ?? 'error event'}`, {
          kind: 'stream_cut',
          ...(ev.error?.message ? { providerMessage: ev.error.message } : {}),
          ...(ev.error?.type ? { providerCode: ev.error.type } : {}),
        });
      default:
        return; // ping, content_block_stop, thinking deltas
    }
  }

  private chunk(delta: ChatDelta, finish: FinishReason | null): ChatChunk {
    const c: ChatChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    if (this.includeUsage) c.usage = null;
    return c;
  }
}
