/** Gemini generateContent responses / stream events → canonical chat response / chunks. */

import { randomUUID } from 'node:crypto';
import type { ChatChoice, ChatChunk, ChatDelta, ChatResponse, FinishReason, ToolCall, Usage } from '../types';
import type { GeminiCandidate, GeminiGenerateResponse, GeminiUsageMetadata } from './types';

export function geminiFinishToChat(reason: string | undefined, hasToolCalls: boolean): FinishReason | null {
  switch (reason) {
    case undefined:
    case '':
    case 'FINISH_REASON_UNSPECIFIED':
      return null;
    case 'STOP':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      // LANGUAGE, MALFORMED_FUNCTION_CALL, OTHER...: the turn ended without a better-fitting OpenAI reason
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/** Gemini's promptTokenCount includes cached tokens; thinking tokens are billed as output. */
export function geminiUsageToChat(u: GeminiUsageMetadata | undefined): Usage {
  const prompt = (u?.promptTokenCount ?? 0) + (u?.toolUsePromptTokenCount ?? 0);
  const thoughts = u?.thoughtsTokenCount ?? 0;
  const completion = (u?.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (u?.cachedContentTokenCount) usage.prompt_tokens_details = { cached_tokens: u.cachedContentTokenCount };
  if (thoughts > 0) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

function callId(id: string | undefined, streamId: string, n: number): string {
  return id ?? `call_${streamId.slice(0, 8)}_${n}`;
}

export function geminiResponseToChat(res: GeminiGenerateResponse, upstreamModel: string): ChatResponse {
  const id = res.responseId ? `chatcmpl-${res.responseId}` : `chatcmpl-${randomUUID()}`;
  const choices: ChatChoice[] = [];
  const candidates = res.candidates ?? [];
  for (let c = 0; c < candidates.length; c++) {
    const cand = candidates[c]!;
    let text: string | null = null;
    let toolCalls: ToolCall[] | undefined;
    for (const part of cand.content?.parts ?? []) {
      if ('text' in part) {
        if (!part.thought) text = text === null ? part.text : text + part.text;
      } else if ('functionCall' in part) {
        toolCalls ??= [];
        toolCalls.push({
          id: callId(part.functionCall.id, id.slice(9), toolCalls.length),
          type: 'function',
          function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        });
      }
    }
    choices.push({
      index: cand.index ?? c,
      message: { role: 'assistant', content: text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
      finish_reason: geminiFinishToChat(cand.finishReason, toolCalls !== undefined) ?? 'stop',
    });
  }
  if (choices.length === 0) {
    // The prompt itself was blocked (promptFeedback.blockReason): no candidates at all.
    choices.push({ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' });
  }
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: res.modelVersion ?? upstreamModel,
    choices,
    usage: geminiUsageToChat(res.usageMetadata),
  };
}

/** Stateful Gemini stream event → canonical chunks. `done` once every expected candidate has a finishReason. */
export class GeminiToChatStream {
  done = false;
  private readonly id = `chatcmpl-${randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private model: string;
  private usage: GeminiUsageMetadata | undefined;
  private readonly started = new Set<number>();
  private readonly finished = new Set<number>();
  private readonly toolCounts = new Map<number, number>();

  constructor(
    upstreamModel: string,
    private readonly expectedCandidates: number,
    private readonly includeUsage: boolean,
  ) {
    this.model = upstreamModel;
  }

  push(ev: GeminiGenerateResponse, out: ChatChunk[]): void {
    if (ev.modelVersion) this.model = ev.modelVersion;
    if (ev.usageMetadata) this.usage = ev.usageMetadata;
    const candidates = ev.candidates ?? [];
    if (candidates.length === 0 && ev.promptFeedback?.blockReason) {
      out.push(this.chunk(0, { role: 'assistant', content: null }, 'content_filter'));
      this.finishAll(out);
      return;
    }
    for (let c = 0; c < candidates.length; c++) this.candidate(candidates[c]!, c, out);
    if (this.finished.size >= this.expectedCandidates) this.finishAll(out);
  }

  private candidate(cand: GeminiCandidate, position: number, out: ChatChunk[]): void {
    const index = cand.index ?? position;
    if (!this.started.has(index)) {
      this.started.add(index);
      out.push(this.chunk(index, { role: 'assistant', content: '' }, null));
    }
    for (const part of cand.content?.parts ?? []) {
      if ('text' in part) {
        if (!part.thought && part.text) out.push(this.chunk(index, { content: part.text }, null));
      } else if ('functionCall' in part) {
        const n = this.toolCounts.get(index) ?? 0;
        this.toolCounts.set(index, n + 1);
        const fc = part.functionCall;
        out.push(
          this.chunk(index, { tool_calls: [{ index: n, id: callId(fc.id, this.id.slice(9), n), type: 'function', function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) } }] }, null),
        );
      }
    }
    const finish = geminiFinishToChat(cand.finishReason, (this.toolCounts.get(index) ?? 0) > 0);
    if (finish !== null && !this.finished.has(index)) {
      this.finished.add(index);
      out.push(this.chunk(index, {}, finish));
    }
  }

  private finishAll(out: ChatChunk[]): void {
    if (this.done) return;
    this.done = true;
    if (this.includeUsage) {
      out.push({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: geminiUsageToChat(this.usage) });
    }
  }

  private chunk(index: number, delta: ChatDelta, finish: FinishReason | null): ChatChunk {
    const c: ChatChunk = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index, delta, finish_reason: finish }] };
    if (this.includeUsage) c.usage = null;
    return c;
  }
}
