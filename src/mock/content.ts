/**
 * What the mock answers, independent of the wire format: a normalised view of the conversation in, a deterministic
 * answer (text or one tool call) with realistic token counts out.
 */

import { createHash } from 'node:crypto';
import { countTokens, decode, encode } from 'gpt-tokenizer';

export interface MockTool {
  name: string;
  parameters: unknown;
}

/** The conversation as every wire format reduces to it. */
export interface MockTurn {
  model: string;
  /** Text of every message (system included), in order. */
  texts: string[];
  messageCount: number;
  lastUserText: string;
  /** Set when the last message is a tool result: its text. */
  lastToolResult: string | null;
  tools: MockTool[];
  /** 'none' disables tools, a name forces that tool, 'any' forces some tool, null = auto. */
  toolChoice: 'none' | 'any' | { name: string } | null;
  maxTokens: number | null;
}

export type MockAnswer =
  | { kind: 'text'; text: string; pieces: readonly string[]; completionTokens: number; finish: 'stop' | 'length' }
  | { kind: 'tool'; id: string; name: string; args: string; completionTokens: number };

export const CANNED_TEXT =
  'Gatehouse mock provider here. This is a deterministic answer written for tests and demos, so every run sees ' +
  'exactly the same words. It has a few sentences to make streaming visible and token counts realistic. ' +
  'Nothing in this text depends on the prompt, except its length when max_tokens cuts it short.';

// Token counts of repeated strings (the canned text, system prompts, benchmark prompts) are cached.
const tokenCache = new Map<string, number>();
const TOKEN_CACHE_MAX = 2000;

export function tokens(text: string): number {
  if (text.length === 0) return 0;
  let n = tokenCache.get(text);
  if (n === undefined) {
    n = countTokens(text);
    if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
    tokenCache.set(text, n);
  }
  return n;
}

/** OpenAI-style prompt accounting: the text tokens plus a few framing tokens per message. */
export function promptTokens(turn: MockTurn): number {
  let n = 3;
  for (const t of turn.texts) n += tokens(t);
  return n + 3 * turn.messageCount;
}

// Streaming pieces: words with their following space, split once per distinct text.
const piecesCache = new Map<string, readonly string[]>();

export function splitPieces(text: string): readonly string[] {
  let p = piecesCache.get(text);
  if (p) return p;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 32) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  if (out.length === 0) out.push('');
  p = out;
  if (piecesCache.size < 500) piecesCache.set(text, p);
  return p;
}

export function answer(turn: MockTurn): MockAnswer {
  const tool = pickTool(turn);
  if (tool) {
    const args = JSON.stringify(exampleArguments(tool.parameters));
    const id = `call_${createHash('sha256').update(turn.lastUserText).update(tool.name).digest('hex').slice(0, 24)}`;
    return { kind: 'tool', id, name: tool.name, args, completionTokens: tokens(tool.name) + tokens(args) + 7 };
  }
  let text: string;
  if (turn.model === 'demo-echo') text = turn.texts.join('\n');
  else if (turn.lastToolResult !== null) text = `The tool returned: ${turn.lastToolResult}`;
  else text = CANNED_TEXT;
  let completion = tokens(text);
  let finish: 'stop' | 'length' = 'stop';
  if (turn.maxTokens !== null && completion > turn.maxTokens) {
    text = decode(encode(text).slice(0, turn.maxTokens));
    completion = turn.maxTokens;
    finish = 'length';
  }
  return { kind: 'text', text, pieces: splitPieces(text), completionTokens: completion, finish };
}

/**
 * A tool is called when tools are given, the last message is the user's (not a tool result), and the user names
 * a tool or the tool choice forces one. Deterministic, so tests can script tool round trips.
 */
function pickTool(turn: MockTurn): MockTool | undefined {
  if (turn.tools.length === 0 || turn.toolChoice === 'none' || turn.lastToolResult !== null) return undefined;
  const choice = turn.toolChoice;
  if (choice !== null && typeof choice === 'object') return turn.tools.find((t) => t.name === choice.name) ?? turn.tools[0];
  const named = turn.tools.find((t) => turn.lastUserText.includes(t.name));
  if (named) return named;
  return choice === 'any' ? turn.tools[0] : undefined;
}

/** Arguments satisfying a JSON Schema's required properties with deterministic example values. */
export function exampleArguments(schema: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof schema !== 'object' || schema === null) return out;
  const s = schema as { properties?: Record<string, unknown>; required?: unknown };
  const props = s.properties ?? {};
  const required = Array.isArray(s.required) ? (s.required as string[]) : Object.keys(props);
  for (const name of required) out[name] = exampleValue(props[name], name);
  return out;
}

function exampleValue(schema: unknown, name: string): unknown {
  const s = (typeof schema === 'object' && schema !== null ? schema : {}) as { type?: unknown; enum?: unknown[]; items?: unknown };
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [exampleValue(s.items, name)];
    case 'object':
      return exampleArguments(schema);
    default:
      return name === 'location' || name === 'city' ? 'Paris' : `example ${name}`;
  }
}

/** A deterministic unit vector for a text (same text, same vector; similar texts are not similar). */
export function embeddingFor(text: string, dims: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  let state = seed.readUInt32LE(0) || 0x9e3779b9;
  const v = new Array<number>(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    // xorshift32: cheap, deterministic
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const x = state / 0x100000000 - 0.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dims; i++) v[i] = Math.round((v[i]! / norm) * 1e6) / 1e6;
  return v;
}

export const MOCK_MODELS = ['demo-chat', 'demo-echo', 'demo-embed'] as const;
export const DEFAULT_EMBEDDING_DIMS = 256;
