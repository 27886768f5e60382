import { z } from 'zod';
import type { ChatRequest, EmbeddingsRequest } from '../providers';
import { badRequest, type GatewayError } from '../http';
import { isPlainValidChat } from './chat-fast-check';

// Schemas check what the gateway relies on and let every other OpenAI parameter through
// (looseObject), so new API fields keep working without a gateway release.

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string().min(1) }) });
const audioPart = z.looseObject({ type: z.literal('input_audio'), input_audio: z.looseObject({ data: z.string(), format: z.string() }) });
const filePart = z.looseObject({ type: z.literal('file'), file: z.looseObject({}) });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(textPart)]), name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart).min(1)]), name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart])), z.null()]).optional(),
    tool_calls: z.array(toolCall).optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content: z.union([z.string(), z.array(textPart)]), tool_call_id: z.string().min(1) }),
]);

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1).max(64), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

const positiveInt = z.number().int().positive();

/** Exported for the fast check's differential test. */
export const chatRequest = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) })]).nullish(),
  user: z.string().nullish(),
  seed: z.number().int().nullish(),
});

const embeddingsRequest = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(2048),
    z.array(z.number().int().nonnegative()).min(1),
    z.array(z.array(z.number().int().nonnegative()).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: positiveInt.optional(),
  user: z.string().optional(),
});

/** `['messages', 0, 'content']` → `messages[0].content` (OpenAI's `param` style). */
export function formatParam(path: ReadonlyArray<PropertyKey>): string | null {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || null;
}

type Issue = z.core.$ZodIssue;

/**
 * For a union (string content | parts array), zod reports the union itself; the branch that
 * got furthest says what the client most likely meant, so its deepest issue is the one shown.
 */
function mostSpecificIssue(issue: Issue, prefix: PropertyKey[] = []): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: PropertyKey[] } | null = null;
  for (const branch of issue.errors) {
    if (branch.length === 0) continue;
    const candidate = mostSpecificIssue(branch[0], path);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best && best.path.length > path.length ? best : { issue, path };
}

function toGatewayError(error: z.ZodError): GatewayError {
  const { issue, path } = mostSpecificIssue(error.issues[0]);
  const param = formatParam(path);
  const where = param ? `${param}: ` : '';
  return badRequest(`Invalid request: ${where}${issue.message}`, param, 'invalid_request');
}

function parseWith<T>(schema: z.ZodType, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw toGatewayError(result.error);
  return result.data as T;
}

// The common plain-text request is accepted by a check the schema agrees with (./chat-fast-check);
// it keeps the client's own object (zod would copy it). Everything else goes through zod.
export const parseChatRequest = (body: unknown): ChatRequest =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && isPlainValidChat(body as Record<string, unknown>)
    ? (body as ChatRequest)
    : parseWith<ChatRequest>(chatRequest, body);
export const parseEmbeddingsRequest = (body: unknown): EmbeddingsRequest => parseWith<EmbeddingsRequest>(embeddingsRequest, body);
