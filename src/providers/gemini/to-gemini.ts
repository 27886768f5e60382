/** Canonical (OpenAI-shaped) chat request → Gemini generateContent request. */

import { RequestValidationError } from '../errors';
import type { ChatRequest, JsonObject, TextPart, UserContentPart } from '../types';
import { parseDataUrl } from '../util/data-url';
import type { GeminiContent, GeminiGenerateRequest, GeminiGenerationConfig, GeminiPart } from './types';

export function chatToGeminiRequest(req: ChatRequest): GeminiGenerateRequest {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  // Gemini's functionResponse is keyed by function name, OpenAI's tool message by call id.
  const toolNameOfCall = new Map<string, string>();
  for (let i = 0; i < req.messages.length; i++) {
    const m = req.messages[i]!;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const text of textsOf(m.content)) if (text) system.push({ text });
        break;
      case 'user':
        push(contents, 'user', typeof m.content === 'string' ? [{ text: m.content }] : m.content.map((p, j) => userPart(p, `messages[${i}].content[${j}]`)));
        break;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        if (typeof m.content === 'string') {
          if (m.content) parts.push({ text: m.content });
        } else if (Array.isArray(m.content)) {
          for (const p of m.content) parts.push({ text: p.type === 'text' ? p.text : p.refusal });
        }
        for (const tc of m.tool_calls ?? []) {
          toolNameOfCall.set(tc.id, tc.function.name);
          parts.push({ functionCall: { name: tc.function.name, args: parseArgs(tc.function.arguments) } });
        }
        if (parts.length > 0) push(contents, 'model', parts);
        break;
      }
      case 'tool': {
        const name = toolNameOfCall.get(m.tool_call_id);
        if (name === undefined) {
          throw new RequestValidationError(`tool message answers unknown tool_call_id '${m.tool_call_id}'`, `messages[${i}].tool_call_id`);
        }
        const text = textsOf(m.content).join('');
        push(contents, 'user', [{ functionResponse: { name, response: toolResponse(text) } }]);
        break;
      }
      default:
        throw new RequestValidationError(`unsupported message role '${(m as { role: string }).role}'`, `messages[${i}].role`);
    }
  }
  const out: GeminiGenerateRequest = { contents };
  if (system.length > 0) out.systemInstruction = { parts: system };
  const gc: GeminiGenerationConfig = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max !== undefined) gc.maxOutputTokens = max;
  if (req.temperature !== undefined) gc.temperature = req.temperature;
  if (req.top_p !== undefined) gc.topP = req.top_p;
  if (typeof req.top_k === 'number') gc.topK = req.top_k;
  if (req.stop !== undefined) gc.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (req.n !== undefined && req.n !== 1) gc.candidateCount = req.n;
  if (req.seed !== undefined) gc.seed = req.seed;
  if (req.presence_penalty !== undefined) gc.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty !== undefined) gc.frequencyPenalty = req.frequency_penalty;
  const rf = req.response_format;
  if (rf && rf.type !== 'text') {
    gc.responseMimeType = 'application/json';
    if (rf.type === 'json_schema' && rf.json_schema.schema) gc.responseJsonSchema = rf.json_schema.schema;
  }
  if (Object.keys(gc).length > 0) out.generationConfig = gc;
  if (req.tools && req.tools.length > 0) {
    out.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.function.name,
          ...(t.function.description !== undefined ? { description: t.function.description } : {}),
          ...(t.function.parameters !== undefined ? { parameters: t.function.parameters } : {}),
        })),
      },
    ];
    const tc = req.tool_choice;
    if (tc === 'none') out.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
    else if (tc === 'required') out.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
    else if (typeof tc === 'object') out.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [tc.function.name] } };
  }
  return out;
}

/** Gemini wants alternating turns; consecutive same-role messages (e.g. parallel tool results) are merged. */
function push(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  const last = contents[contents.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function textsOf(content: string | TextPart[]): string[] {
  return typeof content === 'string' ? [content] : content.map((p) => p.text);
}

function userPart(p: UserContentPart, param: string): GeminiPart {
  switch (p.type) {
    case 'text':
      return { text: p.text };
    case 'image_url': {
      const data = parseDataUrl(p.image_url.url);
      if (data) return { inlineData: { mimeType: data.mediaType, data: data.base64 } };
      return { fileData: { mimeType: guessImageType(p.image_url.url), fileUri: p.image_url.url } };
    }
    case 'input_audio':
      return { inlineData: { mimeType: `audio/${p.input_audio.format}`, data: p.input_audio.data } };
    case 'file': {
      const data = p.file.file_data !== undefined ? parseDataUrl(p.file.file_data) : undefined;
      if (!data) throw new RequestValidationError('Gemini models accept files only inline as a base64 data URL (file_data)', `${param}.file`);
      return { inlineData: { mimeType: data.mediaType, data: data.base64 } };
    }
    default:
      throw new RequestValidationError(`unsupported content part type '${(p as { type: string }).type}'`, `${param}.type`);
  }
}

function guessImageType(url: string): string {
  const path = url.split('?')[0]!.toLowerCase();
  if (path.endsWith('.png')) return 'image/png';
  if (path.endsWith('.webp')) return 'image/webp';
  if (path.endsWith('.gif')) return 'image/gif';
  if (path.endsWith('.heic')) return 'image/heic';
  return 'image/jpeg';
}

function parseArgs(args: string): JsonObject {
  try {
    const v = JSON.parse(args) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as JsonObject;
  } catch {
    // fall through: keep the model's text so nothing is lost
  }
  return args.trim() === '' ? {} : { arguments: args };
}

/** Gemini's functionResponse.response must be an object: JSON object results are sent as-is, anything else wrapped. */
function toolResponse(text: string): JsonObject {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as JsonObject;
  } catch {
    // plain text result
  }
  return { content: text };
}
