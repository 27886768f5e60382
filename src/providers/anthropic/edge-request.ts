/**
 * Edge translation for the gateway's Anthropic-compatible route: a client's Messages API request body → the
 * canonical chat request. Validates as it goes and names the offending field in `RequestValidationError.param`.
 */

import { RequestValidationError } from '../errors';
import type { ChatMessage, ChatRequest, ChatTool, JsonObject, TextPart, ToolCall, ToolChoice, UserContentPart } from '../types';
import { toDataUrl } from '../util/data-url';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function fail(message: string, param: string): never {
  throw new RequestValidationError(message, param);
}
function str(v: unknown, param: string, allowEmpty = true): string {
  if (typeof v !== 'string') fail(`${param}: expected a string`, param);
  if (!allowEmpty && v.length === 0) fail(`${param}: must not be empty`, param);
  return v;
}
function num(v: unknown, param: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${param}: expected a number`, param);
  if (integer && !Number.isInteger(v)) fail(`${param}: expected an integer`, param);
  if (v < min || v > max) fail(`${param}: must be between ${min} and ${max}`, param);
  return v;
}

export function anthropicRequestToChat(body: unknown): ChatRequest {
  if (!isObj(body)) fail('request body must be a JSON object', 'body');
  const model = str(body.model, 'model', false);
  if (body.max_tokens === undefined) fail('max_tokens: field required', 'max_tokens');
  const maxTokens = num(body.max_tokens, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  if (!Array.isArray(body.messages)) fail('messages: expected an array', 'messages');
  const messages: ChatMessage[] = [];
  const system = body.system;
  if (system !== undefined) {
    if (typeof system === 'string') {
      if (system) messages.push({ role: 'system', content: system });
    } else if (Array.isArray(system)) {
      const parts = system.map((b, i): TextPart => {
        if (!isObj(b) || b.type !== 'text') fail('system blocks must be text blocks', `system[${i}]`);
        return { type: 'text', text: str(b.text, `system[${i}].text`) };
      });
      if (parts.length > 0) messages.push({ role: 'system', content: parts });
    } else fail('system: expected a string or an array of text blocks', 'system');
  }
  body.messages.forEach((m, i) => translateMessage(m, i, messages));

  const req: ChatRequest = { model, messages, max_completion_tokens: maxTokens };
  if (body.stream !== undefined) {
    if (typeof body.stream !== 'boolean') fail('stream: expected a boolean', 'stream');
    if (body.stream) {
      req.stream = true;
      req.stream_options = { include_usage: true }; // Anthropic clients always receive usage
    }
  }
  if (body.temperature !== undefined) req.temperature = num(body.temperature, 'temperature', 0, 1);
  if (body.top_p !== undefined) req.top_p = num(body.top_p, 'top_p', 0, 1);
  if (body.top_k !== undefined) req.top_k = num(body.top_k, 'top_k', 0, Number.MAX_SAFE_INTEGER, true);
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences)) fail('stop_sequences: expected an array of strings', 'stop_sequences');
    if (body.stop_sequences.length > 0) req.stop = body.stop_sequences.map((s, i) => str(s, `stop_sequences[${i}]`));
  }
  if (body.metadata !== undefined) {
    if (!isObj(body.metadata)) fail('metadata: expected an object', 'metadata');
    const uid = body.metadata.user_id;
    if (uid !== undefined && uid !== null) req.user = str(uid, 'metadata.user_id');
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) fail('tools: expected an array', 'tools');
    if (body.tools.length > 0) req.tools = body.tools.map(translateTool);
  }
  if (body.tool_choice !== undefined) {
    const { choice, parallel } = translateToolChoice(body.tool_choice);
    req.tool_choice = choice;
    if (parallel === false && req.tools) req.parallel_tool_calls = false;
  }
  return req;
}

function translateMessage(m: unknown, i: number, out: ChatMessage[]): void {
  const p = `messages[${i}]`;
  if (!isObj(m)) fail(`${p}: expected an object`, p);
  const role = m.role;
  if (role !== 'user' && role !== 'assistant') fail(`${p}.role: must be 'user' or 'assistant'`, `${p}.role`);
  const content = m.content;
  if (typeof content === 'string') {
    out.push(role === 'user' ? { role: 'user', content } : { role: 'assistant', content });
    return;
  }
  if (!Array.isArray(content)) fail(`${p}.content: expected a string or an array of content blocks`, `${p}.content`);
  if (content.length === 0 && role === 'user') fail(`${p}.content: a user message needs at least one content block`, `${p}.content`);
  if (role === 'assistant') {
    out.push(assistantMessage(content, p));
    return;
  }
  // A user turn: tool results become tool messages (they must directly follow the assistant's tool calls in the
  // OpenAI shape), the rest stays one user message after them.
  const parts: UserContentPart[] = [];
  content.forEach((b, j) => {
    const bp = `${p}.content[${j}]`;
    if (!isObj(b)) fail(`${bp}: expected a content block`, bp);
    switch (b.type) {
      case 'text':
        parts.push({ type: 'text', text: str(b.text, `${bp}.text`) });
        break;
      case 'image':
        parts.push(imagePart(b.source, `${bp}.source`));
        break;
      case 'document':
        parts.push(documentPart(b, bp));
        break;
      case 'tool_result':
        out.push(toolMessage(b, bp, parts));
        break;
      default:
        fail(`${bp}.type: unsupported content block type '${String(b.type)}' in a user message`, `${bp}.type`);
    }
  });
  if (parts.length > 0) {
    const onlyText = parts.every((x) => x.type === 'text');
    out.push({ role: 'user', content: onlyText && parts.length === 1 ? (parts[0] as TextPart).text : parts });
  }
}

function assistantMessage(content: unknown[], p: string): ChatMessage {
  let text = '';
  const toolCalls: ToolCall[] = [];
  content.forEach((b, j) => {
    const bp = `${p}.content[${j}]`;
    if (!isObj(b)) fail(`${bp}: expected a content block`, bp);
    switch (b.type) {
      case 'text':
        text += str(b.text, `${bp}.text`);
        break;
      case 'tool_use': {
        const input = b.input === undefined ? {} : b.input;
        if (!isObj(input)) fail(`${bp}.input: expected an object`, `${bp}.input`);
        toolCalls.push({ id: str(b.id, `${bp}.id`, false), type: 'function', function: { name: str(b.name, `${bp}.name`, false), arguments: JSON.stringify(input) } });
        break;
      }
      case 'thinking':
      case 'redacted_thinking':
        break; // extended-thinking blocks are provider-specific and not forwarded
      default:
        fail(`${bp}.type: unsupported content block type '${String(b.type)}' in an assistant message`, `${bp}.type`);
    }
  });
  const msg: ChatMessage = { role: 'assistant', content: text.length > 0 || toolCalls.length === 0 ? text : null };
  if (toolCalls.length > 0) msg.tool_calls = toolCalls;
  return msg;
}

function imagePart(source: unknown, p: string): UserContentPart {
  if (!isObj(source)) fail(`${p}: expected an image source`, p);
  if (source.type === 'base64') {
    return { type: 'image_url', image_url: { url: toDataUrl(str(source.media_type, `${p}.media_type`, false), str(source.data, `${p}.data`, false)) } };
  }
  if (source.type === 'url') return { type: 'image_url', image_url: { url: str(source.url, `${p}.url`, false) } };
  return fail(`${p}.type: image sources must be 'base64' or 'url'`, `${p}.type`);
}

function documentPart(b: Obj, bp: string): UserContentPart {
  const source = b.source;
  const p = `${bp}.source`;
  if (!isObj(source)) fail(`${p}: expected a document source`, p);
  if (source.type === 'base64') {
    const file: { file_data: string; filename?: string } = {
      file_data: toDataUrl(str(source.media_type, `${p}.media_type`, false), str(source.data, `${p}.data`, false)),
    };
    if (typeof b.title === 'string') file.filename = b.title;
    return { type: 'file', file };
  }
  if (source.type === 'text') return { type: 'text', text: str(source.data, `${p}.data`) };
  return fail(`${p}.type: only 'base64' and 'text' document sources can be forwarded`, `${p}.type`);
}

function toolMessage(b: Obj, bp: string, userParts: UserContentPart[]): ChatMessage {
  const id = str(b.tool_use_id, `${bp}.tool_use_id`, false);
  const c = b.content;
  let content: string | TextPart[] = '';
  if (typeof c === 'string') content = c;
  else if (Array.isArray(c)) {
    const texts: TextPart[] = [];
    c.forEach((x, k) => {
      const xp = `${bp}.content[${k}]`;
      if (!isObj(x)) fail(`${xp}: expected a content block`, xp);
      if (x.type === 'text') texts.push({ type: 'text', text: str(x.text, `${xp}.text`) });
      // OpenAI tool messages carry text only: images returned by a tool go to the user turn that follows.
      else if (x.type === 'image') userParts.push(imagePart(x.source, `${xp}.source`));
      else fail(`${xp}.type: tool results may contain text and image blocks`, `${xp}.type`);
    });
    content = texts.length === 1 ? texts[0]!.text : texts;
  } else if (c !== undefined) fail(`${bp}.content: expected a string or an array`, `${bp}.content`);
  if (b.is_error === true) {
    // No OpenAI counterpart for is_error: say it in the content so the model still learns the call failed.
    const text = typeof content === 'string' ? content : content.map((t) => t.text).join('\n');
    content = `Error: ${text}`;
  }
  return { role: 'tool', tool_call_id: id, content };
}

function translateTool(t: unknown, i: number): ChatTool {
  const p = `tools[${i}]`;
  if (!isObj(t)) fail(`${p}: expected an object`, p);
  if (t.type !== undefined && t.type !== 'custom') {
    fail(`${p}.type: Anthropic server tools ('${String(t.type)}') cannot be forwarded through the gateway`, `${p}.type`);
  }
  const name = str(t.name, `${p}.name`, false);
  if (!isObj(t.input_schema)) fail(`${p}.input_schema: expected a JSON Schema object`, `${p}.input_schema`);
  const fn: ChatTool['function'] = { name, parameters: t.input_schema as JsonObject };
  if (t.description !== undefined) fn.description = str(t.description, `${p}.description`);
  return { type: 'function', function: fn };
}

function translateToolChoice(tc: unknown): { choice: ToolChoice; parallel: boolean | undefined } {
  if (!isObj(tc)) fail('tool_choice: expected an object', 'tool_choice');
  const parallel = tc.disable_parallel_tool_use === true ? false : undefined;
  switch (tc.type) {
    case 'auto':
      return { choice: 'auto', parallel };
    case 'any':
      return { choice: 'required', parallel };
    case 'none':
      return { choice: 'none', parallel };
    case 'tool':
      return { choice: { type: 'function', function: { name: str(tc.name, 'tool_choice.name', false) } }, parallel };
    default:
      return fail("tool_choice.type: must be 'auto', 'any', 'tool' or 'none'", 'tool_choice.type');
  }
}
