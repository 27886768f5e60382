/** OpenAI (and Azure OpenAI) wire format for the mock: chat completions (JSON and SSE), embeddings, models. */

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { answer, DEFAULT_EMBEDDING_DIMS, embeddingFor, MOCK_MODELS, promptTokens, tokens, type MockTool, type MockTurn } from './content';
import type { FaultSpec } from './faults';
import type { RecordedRequest } from './recorder';
import { sendError, sendJson, sendJsonWithFault, sendStream, sseFrame } from './respond';

type Obj = Record<string, unknown>;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const p of content) {
    if (p && typeof p === 'object') {
      const part = p as { type?: unknown; text?: unknown; refusal?: unknown };
      if (typeof part.text === 'string') out += part.text;
      else if (typeof part.refusal === 'string') out += part.refusal;
    }
  }
  return out;
}

/** Reduces an OpenAI chat request to the mock's normalised turn; returns an error message + param when malformed. */
export function openAITurn(body: Obj, modelOverride: string | null): MockTurn | { error: string; param: string } {
  const model = modelOverride ?? body.model;
  if (typeof model !== 'string' || !model) return { error: "you must provide a model parameter", param: 'model' };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { error: "'messages' must be a non-empty array", param: 'messages' };
  const texts: string[] = [];
  let lastUserText = '';
  let lastToolResult: string | null = null;
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i] as Obj | null;
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') return { error: `messages[${i}] must have a role`, param: `messages[${i}].role` };
    let text = textOf(m.content);
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls as Array<{ function?: { name?: string; arguments?: string } }>) {
        text += `${text ? '\n' : ''}[tool call ${tc.function?.name ?? ''} ${tc.function?.arguments ?? ''}]`;
      }
    }
    texts.push(text);
    if (m.role === 'user') lastUserText = text;
    lastToolResult = m.role === 'tool' ? text : null;
  }
  const tools: MockTool[] = [];
  if (Array.isArray(body.tools)) {
    for (const t of body.tools as Array<{ function?: { name?: unknown; parameters?: unknown } }>) {
      if (typeof t?.function?.name === 'string') tools.push({ name: t.function.name, parameters: t.function.parameters });
    }
  }
  const tc = body.tool_choice;
  const toolChoice = tc === 'none' ? 'none' : tc === 'required' ? 'any'
    : tc && typeof tc === 'object' && typeof (tc as { function?: { name?: unknown } }).function?.name === 'string'
      ? { name: (tc as { function: { name: string } }).function.name } : null;
  const max = body.max_completion_tokens ?? body.max_tokens;
  return {
    model, texts, messageCount: texts.length, lastUserText, lastToolResult, tools, toolChoice,
    maxTokens: typeof max === 'number' && max > 0 ? max : null,
  };
}

function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

export async function openAIChat(res: ServerResponse, body: Obj, modelOverride: string | null, fault: FaultSpec | null, rec: RecordedRequest): Promise<void> {
  const turn = openAITurn(body, modelOverride);
  if ('error' in turn) return sendError(res, 'openai', 400, turn.error, turn.param);
  if (body.stream_options !== undefined && body.stream !== true) {
    return sendError(res, 'openai', 400, 'The stream_options parameter is only allowed when stream is enabled.', 'stream_options');
  }
  const a = answer(turn);
  const prompt = promptTokens(turn);
  const usage = { prompt_tokens: prompt, completion_tokens: a.completionTokens, total_tokens: prompt + a.completionTokens, prompt_tokens_details: { cached_tokens: 0 } };
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  if (body.stream !== true) {
    const message =
      a.kind === 'text'
        ? { role: 'assistant', content: a.text, refusal: null }
        : { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: a.id, type: 'function', function: { name: a.name, arguments: a.args } }] };
    return sendJsonWithFault(res, {
      id, object: 'chat.completion', created, model: turn.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: a.kind === 'text' ? a.finish : 'tool_calls' }],
      usage, system_fingerprint: 'fp_gatehouse_mock',
    }, fault, rec);
  }
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  // Every chunk shares this prefix; only the choices differ.
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(turn.model)},"system_fingerprint":"fp_gatehouse_mock","choices":[`;
  const tail = includeUsage ? '],"usage":null}' : ']}';
  const frame = (choice: string): string => sseFrame(head + choice + tail);
  const frames: string[] = [frame('{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}')];
  if (a.kind === 'text') {
    for (const piece of a.pieces) frames.push(frame(`{"index":0,"delta":{"content":${JSON.stringify(piece)}},"logprobs":null,"finish_reason":null}`));
    frames.push(frame(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"${a.finish}"}`));
  } else {
    frames.push(frame(`{"index":0,"delta":{"tool_calls":[{"index":0,"id":"${a.id}","type":"function","function":{"name":${JSON.stringify(a.name)},"arguments":""}}]},"logprobs":null,"finish_reason":null}`));
    // Arguments arrive in small pieces, as OpenAI streams them.
    for (let i = 0; i < a.args.length; i += 8) {
      frames.push(frame(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(a.args.slice(i, i + 8))}}}]},"logprobs":null,"finish_reason":null}`));
    }
    frames.push(frame('{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}'));
  }
  if (includeUsage) frames.push(sseFrame(`${head}],"usage":${JSON.stringify(usage)}}`));
  frames.push('data: [DONE]\n\n');
  return sendStream(res, frames, fault, rec);
}

export function openAIEmbeddings(res: ServerResponse, body: Obj, modelOverride: string | null, fault: FaultSpec | null, rec: RecordedRequest): void {
  const model = modelOverride ?? body.model;
  if (typeof model !== 'string' || !model) return sendError(res, 'openai', 400, 'you must provide a model parameter', 'model');
  const input = body.input;
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((v) => typeof v === 'string')) texts = input as string[];
  else if (Array.isArray(input) && input.length > 0 && input.every((v) => typeof v === 'number')) texts = [(input as number[]).join(' ')];
  else if (Array.isArray(input) && input.length > 0 && input.every((v) => Array.isArray(v))) texts = (input as number[][]).map((v) => v.join(' '));
  else return sendError(res, 'openai', 400, "'input' must be a string, an array of strings or token arrays", 'input');
  const dims = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : DEFAULT_EMBEDDING_DIMS;
  const base64 = body.encoding_format === 'base64';
  let total = 0;
  const data = texts.map((t, index) => {
    total += tokens(t);
    const v = embeddingFor(t, dims);
    const f32 = base64 ? new Float32Array(v) : null;
    return { object: 'embedding', index, embedding: f32 ? Buffer.from(f32.buffer).toString('base64') : v };
  });
  sendJsonWithFault(res, { object: 'list', data, model, usage: { prompt_tokens: total, total_tokens: total } }, fault, rec);
}

/** `GET …/models`: OpenAI's list shape, or Anthropic's when the caller sends `anthropic-version`. */
export function openAIModels(res: ServerResponse, anthropicShape: boolean): void {
  if (anthropicShape) {
    const data = MOCK_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2023-11-14T22:13:20Z' }));
    return sendJson(res, 200, { data, has_more: false, first_id: data[0]!.id, last_id: data[data.length - 1]!.id });
  }
  sendJson(res, 200, { object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'gatehouse-mock' })) });
}
