/**
 * Stream adapters: one `PiiStreamScanner` per choice (OpenAI `chat.completion.chunk`, content and each tool call's
 * arguments) or per content block (Anthropic `content_block_delta` text / input_json). They rewrite the deltas
 * in place of the originals (held-back text leaves as an empty delta) and emit what is still held when the
 * choice finishes or the block stops. Input events are never mutated.
 */
import { isRecord } from '../bodies/cow';
import { validateActionMap, type OperatorOptions } from '../operators/apply';
import type { PiiActionMap, PiiScanner } from '../types';
import { PiiStreamScanner } from './stream-scanner';

export interface StreamTransformOptions {
  scanner: PiiScanner;
  actions: PiiActionMap;
  operators?: OperatorOptions;
}

abstract class StreamTransformerBase {
  protected readonly scanners = new Map<string, PiiStreamScanner>();

  constructor(protected readonly options: StreamTransformOptions) {
    validateActionMap(options.actions, options.operators);
  }

  protected scannerFor(key: string, json: boolean): PiiStreamScanner {
    let s = this.scanners.get(key);
    if (!s) {
      s = new PiiStreamScanner({ ...this.options, json });
      this.scanners.set(key, s);
    }
    return s;
  }

  /** Findings per type so far, over every choice/block. */
  get summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.scanners.values()) {
      for (const [t, n] of Object.entries(s.summary)) out[t] = (out[t] ?? 0) + n;
    }
    return out;
  }

  get blocked(): boolean {
    for (const s of this.scanners.values()) if (s.blocked) return true;
    return false;
  }
}

type Json = Record<string, unknown>;

/** OpenAI Chat Completions streaming (`data: {chat.completion.chunk}` objects, parsed). */
export class OpenAIChatStreamTransformer extends StreamTransformerBase {
  /** Returns the chunk to send in place of `chunk` (same shape, deltas transformed). */
  transformChunk(chunk: unknown): unknown {
    if (!isRecord(chunk) || !Array.isArray(chunk.choices)) return chunk;
    const choices = chunk.choices.map((choice) => this.transformChoice(choice));
    return { ...chunk, choices };
  }

  /**
   * End of stream without `finish_reason` (connection ended): chunks carrying whatever is still held, to send
   * before `[DONE]`. Empty when nothing is held.
   */
  flush(template: Json = {}): unknown[] {
    const out: unknown[] = [];
    for (const [key, scanner] of this.scanners) {
      const text = scanner.flush();
      if (!text) continue;
      const [index, kind, call] = key.split(':');
      const delta: Json = kind === 'content' ? { content: text } : { tool_calls: [{ index: Number(call), function: { arguments: text } }] };
      out.push({ ...template, object: 'chat.completion.chunk', choices: [{ index: Number(index), delta, finish_reason: null }] });
    }
    return out;
  }

  private transformChoice(choice: unknown): unknown {
    if (!isRecord(choice)) return choice;
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const finishing = choice.finish_reason !== null && choice.finish_reason !== undefined;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    const next: Json = { ...delta };
    if (typeof delta.content === 'string' || (finishing && this.scanners.has(`${index}:content`))) {
      const s = this.scannerFor(`${index}:content`, false);
      let text = typeof delta.content === 'string' ? s.push(delta.content) : '';
      if (finishing) text += s.flush();
      next.content = text;
    }
    if (Array.isArray(delta.tool_calls)) {
      next.tool_calls = delta.tool_calls.map((call) => {
        if (!isRecord(call) || !isRecord(call.function) || typeof call.function.arguments !== 'string') return call;
        const k = typeof call.index === 'number' ? call.index : 0;
        const s = this.scannerFor(`${index}:tool:${k}`, true);
        return { ...call, function: { ...call.function, arguments: s.push(call.function.arguments) } };
      });
    }
    if (finishing) {
      const extra: Json[] = [];
      for (const [key, s] of this.scanners) {
        const [ci, kind, call] = key.split(':');
        if (Number(ci) !== index || kind !== 'tool') continue;
        const text = s.flush();
        if (text) extra.push({ index: Number(call), function: { arguments: text } });
      }
      if (extra.length) next.tool_calls = [...(Array.isArray(next.tool_calls) ? next.tool_calls : []), ...extra];
    }
    return { ...choice, delta: next };
  }
}

/** Anthropic Messages streaming events (parsed `data:` objects). */
export class AnthropicStreamTransformer extends StreamTransformerBase {
  /** Returns the events to send in place of `event` (a `content_block_stop` may be preceded by a final delta). */
  transformEvent(event: unknown): unknown[] {
    if (!isRecord(event)) return [event];
    const index = typeof event.index === 'number' ? event.index : 0;
    if (event.type === 'content_block_delta' && isRecord(event.delta)) {
      const d = event.delta;
      if (d.type === 'text_delta' && typeof d.text === 'string') {
        return [{ ...event, delta: { ...d, text: this.scannerFor(`${index}:text`, false).push(d.text) } }];
      }
      if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
        return [{ ...event, delta: { ...d, partial_json: this.scannerFor(`${index}:json`, true).push(d.partial_json) } }];
      }
      return [event];
    }
    if (event.type === 'content_block_stop') {
      const out: unknown[] = [];
      for (const kind of ['text', 'json'] as const) {
        const s = this.scanners.get(`${index}:${kind}`);
        const text = s?.flush();
        if (!text) continue;
        const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'input_json_delta', partial_json: text };
        out.push({ type: 'content_block_delta', index, delta });
      }
      out.push(event);
      return out;
    }
    return [event];
  }
}
