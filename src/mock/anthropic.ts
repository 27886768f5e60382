/** Anthropic Messages wire format for the mock, streaming events in the order and shape the real API sends. */

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { answer, promptTokens, type MockTool, type MockTurn } from './content';
import type { FaultSpec } from './faults';
import type { RecordedRequest } from './recorder';
import { sendError, sendJsonWithFault, sendStream, sseFrame } from './respond';

type Obj = Record<string, unknown>;

function blockText(b: Obj): string {
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string' ? b.text : '';
    case 'tool_use':
      return `[tool call ${String(b.name)} ${JSON.stringify(b.input ?? {})}]`;
    case 'tool_result':
      return typeof b.content === 'string' ? b.content : Array.isArray(b.content) ? (b.content as Obj[]).map(blockText).join('') : '';
    case 'document': {
      const s = b.source as Obj | undefined;
      return s?.type === 'text' && typeof s.data === 'string' ? s.data : '';
    }
    default:
      return '';
  }
}

export function anthropicTurn(body: Obj): MockTurn | { error: string } {
  if (typeof body.model !== 'string' || !body.model) return { error: 'model: Field required' };
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return { error: 'max_tokens: Field required' };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { error: 'messages: at least one message is required' };
  const texts: string[] = [];
  if (typeof body.system === 'string') texts.push(body.system);
  else if (Array.isArray(body.system)) texts.push((body.system as Obj[]).map(blockText).join('\n'));
  let lastUserText = '';
  let lastToolResult: string | null = null;
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i] as Obj | null;
    if (!m || (m.role !== 'user' && m.role !== 'assistant')) return { error: `messages.${i}.role: Input should be 'user' or 'assistant'` };
    let text: string;
    lastToolResult = null;
    if (typeof m.content === 'string') text = m.content;
    else if (Array.isArray(m.content)) {
      const blocks = m.content as Obj[];
      text = blocks.map(blockText).join('');
      const results = blocks.filter((b) => b.type === 'tool_result');
      if (m.role === 'user' && results.length > 0 && results.length === blocks.length) lastToolResult = results.map(blockText).join('\n');
    } else return { error: `messages.${i}.content: Input should be a valid string or list` };
    texts.push(text);
    if (m.role === 'user') lastUserText = text;
  }
  const tools: MockTool[] = [];
  if (Array.isArray(body.tools)) for (const t of body.tools as Obj[]) if (typeof t.name === 'string') tools.push({ name: t.name, parameters: t.input_schema });
  const tc = body.tool_choice as Obj | undefined;
  const toolChoice = tc?.type === 'none' ? 'none' : tc?.type === 'any' ? 'any' : tc?.type === 'tool' && typeof tc.name === 'string' ? { name: tc.name } : null;
  return { model: body.model, texts, messageCount: texts.length, lastUserText, lastToolResult, tools, toolChoice, maxTokens: body.max_tokens };
}

export async function anthropicMessages(res: ServerResponse, body: Obj, version: string | undefined, fault: FaultSpec | null, rec: RecordedRequest): Promise<void> {
  if (!version) return sendError(res, 'anthropic', 400, 'anthropic-version: header is required');
  const turn = anthropicTurn(body);
  if ('error' in turn) return sendError(res, 'anthropic', 400, turn.error);
  const a = answer(turn);
  const input = promptTokens(turn);
  const id = `msg_${randomBytes(12).toString('base64url')}`;
  const stop = a.kind === 'tool' ? 'tool_use' : a.finish === 'length' ? 'max_tokens' : 'end_turn';
  if (body.stream !== true) {
    const content = a.kind === 'text' ? [{ type: 'text', text: a.text }] : [{ type: 'tool_use', id: a.id.replace('call_', 'toolu_'), name: a.name, input: JSON.parse(a.args) as unknown }];
    return sendJsonWithFault(res, {
      id, type: 'message', role: 'assistant', model: turn.model, content, stop_reason: stop, stop_sequence: null,
      usage: { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: a.completionTokens, service_tier: 'standard' },
    }, fault, rec);
  }
  const ev = (type: string, data: string): string => sseFrame(data, type);
  const frames: string[] = [
    ev('message_start', JSON.stringify({
      type: 'message_start',
      message: {
        id, type: 'message', role: 'assistant', model: turn.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' },
      },
    })),
  ];
  if (a.kind === 'text') {
    frames.push(ev('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'));
    frames.push(ev('ping', '{"type": "ping"}'));
    for (const piece of a.pieces) frames.push(ev('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`));
  } else {
    frames.push(ev('content_block_start', `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"${a.id.replace('call_', 'toolu_')}","name":${JSON.stringify(a.name)},"input":{}}}`));
    frames.push(ev('ping', '{"type": "ping"}'));
    frames.push(ev('content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}'));
    for (let i = 0; i < a.args.length; i += 8) {
      frames.push(ev('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(a.args.slice(i, i + 8))}}}`));
    }
  }
  frames.push(ev('content_block_stop', '{"type":"content_block_stop","index":0}'));
  frames.push(ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${stop}","stop_sequence":null},"usage":{"output_tokens":${a.completionTokens}}}`));
  frames.push(ev('message_stop', '{"type":"message_stop"}'));
  return sendStream(res, frames, fault, rec);
}
