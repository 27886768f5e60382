/** Canonical (OpenAI-shaped) chat request → Anthropic Messages request, for the Anthropic upstream adapter. */

import { RequestValidationError } from '../errors';
import type { ChatMessage, ChatRequest, JsonObject, TextPart, ToolChoice, UserContentPart } from '../types';
import { parseDataUrl } from '../util/data-url';
import type {
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from './types';

/** Used when the request sets no output limit (Anthropic requires one). */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export function chatToAnthropicRequest(req: ChatRequest, upstreamModel: string, stream: boolean): AnthropicMessagesRequest {
  if (req.n !== undefined && req.n !== 1) throw new RequestValidationError('Anthropic models return one choice; n must be 1', 'n');
  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicMessageParam[] = [];
  for (let i = 0; i < req.messages.length; i++) {
    const m = req.messages[i]!;
    switch (m.role) {
      case 'system':
      case 'developer':
        // Anthropic has one top-level system prompt; system messages anywhere in the list contribute to it.
        for (const text of textsOf(m.content)) if (text) system.push({ type: 'text', text });
        break;
      case 'user':
        messages.push({ role: 'user', content: typeof m.content === 'string' ? m.content : m.content.map((p, j) => userPart(p, `messages[${i}].content[${j}]`)) });
        break;
      case 'assistant':
        pushAssistant(messages, m, i);
        break;
      case 'tool':
        pushToolResult(messages, m.tool_call_id, m.content);
        break;
      default:
        throw new RequestValidationError(`unsupported message role '${(m as { role: string }).role}'`, `messages[${i}].role`);
    }
  }
  const out: AnthropicMessagesRequest = {
    model: upstreamModel,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length === 1) out.system = system[0]!.text;
  else if (system.length > 1) out.system = system;
  if (stream) out.stream = true;
  // OpenAI's temperature goes to 2, Anthropic's to 1.
  if (req.temperature !== undefined) out.temperature = Math.min(req.temperature, 1);
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (typeof req.top_k === 'number') out.top_k = req.top_k;
  if (req.stop !== undefined) out.stop_sequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (req.user !== undefined) out.metadata = { user_id: req.user };
  if (req.tools && req.tools.length > 0 && req.tool_choice !== 'none') {
    out.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description !== undefined ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) out.tool_choice = choice;
  }
  return out;
}

function textsOf(content: string | TextPart[]): string[] {
  return typeof content === 'string' ? [content] : content.map((p) => p.text);
}

function userPart(p: UserContentPart, param: string): AnthropicRequestBlock {
  switch (p.type) {
    case 'text':
      return { type: 'text', text: p.text };
    case 'image_url': {
      const url = p.image_url.url;
      const data = parseDataUrl(url);
      if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.base64 } };
      if (url.startsWith('https://') || url.startsWith('http://')) return { type: 'image', source: { type: 'url', url } };
      throw new RequestValidationError('image_url must be an http(s) URL or a base64 data URL', `${param}.image_url.url`);
    }
    case 'file': {
      const data = p.file.file_data !== undefined ? parseDataUrl(p.file.file_data) : undefined;
      if (!data) throw new RequestValidationError('Anthropic models accept files only inline as a base64 data URL (file_data)', `${param}.file`);
      if (data.mediaType === 'text/plain') {
        return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: Buffer.from(data.base64, 'base64').toString('utf8') } };
      }
      return {
        type: 'document',
        source: { type: 'base64', media_type: data.mediaType, data: data.base64 },
        ...(p.file.filename ? { title: p.file.filename } : {}),
      };
    }
    case 'input_audio':
      throw new RequestValidationError('Anthropic models do not accept audio input', param);
    default:
      throw new RequestValidationError(`unsupported content part type '${(p as { type: string }).type}'`, `${param}.type`);
  }
}

function pushAssistant(messages: AnthropicMessageParam[], m: Extract<ChatMessage, { role: 'assistant' }>, i: number): void {
  const blocks: AnthropicRequestBlock[] = [];
  if (typeof m.content === 'string') {
    if (m.content) blocks.push({ type: 'text', text: m.content });
  } else if (Array.isArray(m.content)) {
    for (const p of m.content) {
      const text = p.type === 'text' ? p.text : p.refusal;
      if (text) blocks.push({ type: 'text', text });
    }
  }
  if (m.tool_calls) {
    for (let j = 0; j < m.tool_calls.length; j++) {
      const tc = m.tool_calls[j]!;
      blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseArguments(tc.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) });
    }
  }
  if (blocks.length === 0) return; // Anthropic rejects empty assistant turns
  messages.push({ role: 'assistant', content: blocks.length === 1 && blocks[0]!.type === 'text' ? blocks[0]!.text : blocks });
}

function parseArguments(args: string, param: string): JsonObject {
  if (args.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw new RequestValidationError('tool call arguments must be a JSON object to be sent to an Anthropic model', param);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestValidationError('tool call arguments must be a JSON object to be sent to an Anthropic model', param);
  }
  return value as JsonObject;
}

/** Consecutive tool messages become one user turn of tool_result blocks (how Anthropic expects parallel results). */
function pushToolResult(messages: AnthropicMessageParam[], toolUseId: string, content: string | TextPart[]): void {
  const block: AnthropicToolResultBlock = {
    type: 'tool_result',
    tool_use_id: toolUseId,
    content: typeof content === 'string' ? content : content.map((p) => ({ type: 'text', text: p.text })),
  };
  const last = messages[messages.length - 1];
  if (last && last.role === 'user' && Array.isArray(last.content) && last.content.every((b) => b.type === 'tool_result')) {
    last.content.push(block);
  } else {
    messages.push({ role: 'user', content: [block] });
  }
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === 'auto') return parallel === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.function.name, ...noParallel };
}
