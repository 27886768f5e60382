/**
 * A fast acceptance check for the common chat request, so most requests skip zod (~30 µs for a
 * four-message request, ~2 µs here). It only ever says "certainly valid": every body it accepts
 * is one the zod schema in ./validation accepts (test/unit/proxy/chat-fast-check.test.ts checks
 * this differentially). Anything less common — content parts, tool calls, tools, stop lists, an
 * unexpected type anywhere — returns false and zod decides, with its error messages.
 */

const ROLES_WITH_TEXT = new Set(['system', 'developer', 'user']);
const TOOL_CHOICES = new Set(['none', 'auto', 'required']);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;
const inRange = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && v >= min && v <= max;
const positiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;

function simpleMessage(m: unknown): boolean {
  if (!isObj(m)) return false;
  const role = m.role;
  if (typeof role !== 'string') return false;
  if (ROLES_WITH_TEXT.has(role)) return typeof m.content === 'string' && (m.name === undefined || typeof m.name === 'string');
  if (role === 'assistant') return (m.content === undefined || m.content === null || typeof m.content === 'string') && m.tool_calls === undefined;
  if (role === 'tool') return typeof m.content === 'string' && typeof m.tool_call_id === 'string' && m.tool_call_id.length > 0;
  return false;
}

/** True only for chat bodies the schema certainly accepts; false means "ask zod". */
export function isPlainValidChat(body: Obj): boolean {
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0 || model.length > 256) return false;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (let i = 0; i < messages.length; i++) if (!simpleMessage(messages[i])) return false;
  if (!absent(body.stream) && typeof body.stream !== 'boolean') return false;
  const so = body.stream_options;
  if (!absent(so) && !(isObj(so) && (so.include_usage === undefined || typeof so.include_usage === 'boolean'))) return false;
  if (!absent(body.max_tokens) && !positiveInt(body.max_tokens)) return false;
  if (!absent(body.max_completion_tokens) && !positiveInt(body.max_completion_tokens)) return false;
  if (!absent(body.temperature) && !inRange(body.temperature, 0, 2)) return false;
  if (!absent(body.top_p) && !inRange(body.top_p, 0, 1)) return false;
  if (!absent(body.n) && !(Number.isSafeInteger(body.n) && inRange(body.n, 1, 128))) return false;
  if (!absent(body.stop) && typeof body.stop !== 'string') return false;
  if (!absent(body.tools)) return false;
  if (!absent(body.tool_choice) && !(typeof body.tool_choice === 'string' && TOOL_CHOICES.has(body.tool_choice))) return false;
  if (!absent(body.user) && typeof body.user !== 'string') return false;
  if (!absent(body.seed) && !Number.isSafeInteger(body.seed)) return false;
  return true;
}
