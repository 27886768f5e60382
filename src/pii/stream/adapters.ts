/**
 * Stream adapters: one `PiiStreamScanner` per choice (OpenAI `chat.completion.chunk`: `delta.content`,
 * `delta.refusal` and each tool call's `function.arguments`) or per content block (Anthropic `content_block_start`
 * text, `text_delta`, `input_json_delta`). They rewrite the deltas in place of the originals (held-back text leaves
 * as an empty delta) and emit what is still held when the choice finishes or the block stops — or, when the
 * upstream ends abruptly, from `flush()`. Input chunks/events are never mutated; the result has the input's shape.
 *
 * Anthropic `thinking_delta` and `signature_delta` pass unchanged: the signature covers the thinking text, and a
 * changed thinking block is rejected when the client sends it back in the next turn.
 *
 * The shapes are those of `ChatChunk` and `AnthropicStreamEvent` in src/providers (the pii module does not import
 * them, so it stays a self-contained library; test/unit/pii/stream-adapters.test.ts checks against them).
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

  /** Entity types whose action is `block` that were found so far. */
  get blockedTypes(): string[] {
    const out = new Set<string>();
    for (const s of this.scanners.values()) for (const t of s.blockedTypes) out.add(t);
    return [...out];
  }
}

type Json = Record<string, unknown>;

/**
 * `${index}:content` / `${index}:refusal`, built once per choice index: a fresh key string per chunk would be
 * hashed again on every Map lookup (two per chunk, hundreds of chunks per answer).
 */
const choiceKeys: Array<readonly [string, string]> = [];
function keysOf(index: number): readonly [string, string] {
  if (Number.isInteger(index) && index >= 0 && index < 64) {
    return (choiceKeys[index] ??= [`${index}:content`, `${index}:refusal`]);
  }
  return [`${index}:content`, `${index}:refusal`];
}

/** OpenAI Chat Completions streaming (`data: {chat.completion.chunk}` objects, parsed). */
export class OpenAIChatStreamTransformer extends StreamTransformerBase {
  /** Returns the chunk to send in place of `chunk` (same shape, deltas transformed). */
  transformChunk<T>(chunk: T): T {
    if (!isRecord(chunk) || !Array.isArray(chunk.choices) || chunk.choices.length === 0) return chunk;
    const choices = chunk.choices.map((choice) => this.transformChoice(choice));
    return { ...chunk, choices } as T;
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
      const delta: Json = kind === 'tool'
        ? { tool_calls: [{ index: Number(call), function: { arguments: text } }] }
        : { [kind!]: text };
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
    const keys = keysOf(index);
    for (let f = 0; f < 2; f++) {
      const field = f === 0 ? 'content' : 'refusal';
      const key = keys[f]!;
      const value = delta[field];
      if (typeof value !== 'string' && !(finishing && this.scanners.has(key))) continue;
      const s = this.scannerFor(key, false);
      let text = typeof value === 'string' ? s.push(value) : '';
      if (finishing) text += s.flush();
      // A finishing delta that carried no text gets the field only when something was still held.
      if (typeof value === 'string' || text) next[field] = text;
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
  /** Block indexes with a scanner that may still hold text, in the order they opened. */
  private readonly open = new Set<number>();

  /**
   * Returns the events to send in place of `event`: a `content_block_stop` is preceded by a final delta carrying
   * what its block still held; `message_delta`, `message_stop` and `error` by those of any block left open.
   */
  transformEvent(event: unknown): unknown[] {
    if (!isRecord(event)) return [event];
    const index = typeof event.index === 'number' ? event.index : 0;
    switch (event.type) {
      case 'content_block_start': {
        const block = event.content_block;
        if (isRecord(block) && block.type === 'text' && typeof block.text === 'string' && block.text) {
          this.open.add(index);
          return [{ ...event, content_block: { ...block, text: this.scannerFor(`${index}:text`, false).push(block.text) } }];
        }
        return [event];
      }
      case 'content_block_delta': {
        const d = event.delta;
        if (!isRecord(d)) return [event];
        if (d.type === 'text_delta' && typeof d.text === 'string') {
          this.open.add(index);
          return [{ ...event, delta: { ...d, text: this.scannerFor(`${index}:text`, false).push(d.text) } }];
        }
        if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
          this.open.add(index);
          return [{ ...event, delta: { ...d, partial_json: this.scannerFor(`${index}:json`, true).push(d.partial_json) } }];
        }
        return [event];
      }
      case 'content_block_stop': {
        const out = this.flushBlock(index);
        out.push(event);
        return out;
      }
      case 'message_delta':
      case 'message_stop':
      case 'error': {
        const out = this.flush();
        out.push(event);
        return out;
      }
      default:
        return [event];
    }
  }

  /** End of stream (or upstream cut): deltas carrying whatever open blocks still hold. */
  flush(): unknown[] {
    const out: unknown[] = [];
    for (const index of [...this.open]) out.push(...this.flushBlock(index));
    return out;
  }

  private flushBlock(index: number): unknown[] {
    this.open.delete(index);
    const out: unknown[] = [];
    for (const kind of ['text', 'json'] as const) {
      const text = this.scanners.get(`${index}:${kind}`)?.flush();
      if (!text) continue;
      const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'input_json_delta', partial_json: text };
      out.push({ type: 'content_block_delta', index, delta });
    }
    return out;
  }
}
