/**
 * Where the texts are in each wire shape. Only fields that carry user/model text are listed; media parts,
 * ids, model names and roles are not scanned. Unknown or malformed parts are skipped, never thrown on.
 */
import { isRecord, type JsonPath } from './cow';

export type BodyShape =
  | 'openai.chat.request'
  | 'openai.embeddings.request'
  | 'anthropic.messages.request'
  | 'openai.chat.response'
  | 'anthropic.messages.response';

export const BODY_SHAPES: readonly BodyShape[] = [
  'openai.chat.request',
  'openai.embeddings.request',
  'anthropic.messages.request',
  'openai.chat.response',
  'anthropic.messages.response',
];

export interface TextSlot {
  path: JsonPath;
  /** `text`: plain string; `json-string`: a string holding JSON (tool-call arguments); `json-value`: a JSON object. */
  kind: 'text' | 'json-string' | 'json-value';
  value: unknown;
}

function pushText(out: TextSlot[], path: JsonPath, value: unknown): void {
  if (typeof value === 'string' && value.length > 0) out.push({ path, kind: 'text', value });
}

function openAiContent(out: TextSlot[], base: JsonPath, content: unknown): void {
  if (typeof content === 'string') return pushText(out, base, content);
  if (!Array.isArray(content)) return;
  content.forEach((part, j) => {
    if (!isRecord(part)) return;
    if (typeof part.text === 'string') pushText(out, [...base, j, 'text'], part.text);
    if (typeof part.refusal === 'string') pushText(out, [...base, j, 'refusal'], part.refusal);
  });
}

function openAiToolCalls(out: TextSlot[], base: JsonPath, message: Record<string, unknown>): void {
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((call, k) => {
      if (isRecord(call) && isRecord(call.function) && typeof call.function.arguments === 'string') {
        out.push({ path: [...base, 'tool_calls', k, 'function', 'arguments'], kind: 'json-string', value: call.function.arguments });
      }
    });
  }
  if (isRecord(message.function_call) && typeof message.function_call.arguments === 'string') {
    out.push({ path: [...base, 'function_call', 'arguments'], kind: 'json-string', value: message.function_call.arguments });
  }
}

function openAiMessage(out: TextSlot[], base: JsonPath, message: unknown): void {
  if (!isRecord(message)) return;
  openAiContent(out, [...base, 'content'], message.content);
  if (typeof message.refusal === 'string') pushText(out, [...base, 'refusal'], message.refusal);
  openAiToolCalls(out, base, message);
}

function anthropicBlocks(out: TextSlot[], base: JsonPath, content: unknown, depth: number): void {
  if (typeof content === 'string') return pushText(out, base, content);
  if (!Array.isArray(content) || depth > 2) return;
  content.forEach((block, j) => {
    if (!isRecord(block)) return;
    const at = [...base, j];
    switch (block.type) {
      case 'text':
        pushText(out, [...at, 'text'], block.text);
        break;
      case 'tool_use':
      case 'server_tool_use':
        if (block.input !== undefined) out.push({ path: [...at, 'input'], kind: 'json-value', value: block.input });
        break;
      case 'tool_result':
        anthropicBlocks(out, [...at, 'content'], block.content, depth + 1);
        break;
      case 'document':
        if (isRecord(block.source) && block.source.type === 'text') pushText(out, [...at, 'source', 'data'], block.source.data);
        if (isRecord(block.source) && block.source.type === 'content') {
          anthropicBlocks(out, [...at, 'source', 'content'], block.source.content, depth + 1);
        }
        break;
      default:
        break; // images, thinking (signed), redacted_thinking: not scanned
    }
  });
}

export function collectSlots(shape: BodyShape, body: unknown): TextSlot[] {
  const out: TextSlot[] = [];
  if (!isRecord(body)) return out;
  switch (shape) {
    case 'openai.chat.request':
      if (Array.isArray(body.messages)) body.messages.forEach((m, i) => openAiMessage(out, ['messages', i], m));
      break;
    case 'openai.embeddings.request':
      if (typeof body.input === 'string') pushText(out, ['input'], body.input);
      else if (Array.isArray(body.input)) body.input.forEach((v, i) => pushText(out, ['input', i], v)); // token arrays skipped
      break;
    case 'anthropic.messages.request':
      if (typeof body.system === 'string') pushText(out, ['system'], body.system);
      else if (Array.isArray(body.system)) anthropicBlocks(out, ['system'], body.system, 0);
      if (Array.isArray(body.messages)) {
        body.messages.forEach((m, i) => {
          if (isRecord(m)) anthropicBlocks(out, ['messages', i, 'content'], m.content, 0);
        });
      }
      break;
    case 'openai.chat.response':
      if (Array.isArray(body.choices)) {
        body.choices.forEach((c, i) => {
          if (isRecord(c)) openAiMessage(out, ['choices', i, 'message'], c.message);
        });
      }
      break;
    case 'anthropic.messages.response':
      anthropicBlocks(out, ['content'], body.content, 0);
      break;
  }
  return out;
}
