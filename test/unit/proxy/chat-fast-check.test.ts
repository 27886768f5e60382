/**
 * The fast chat check must never accept what the zod schema rejects: checked differentially on
 * thousands of generated bodies mixing valid and invalid values for every field it looks at.
 */
import { isPlainValidChat } from '../../../src/proxy/chat-fast-check';
import { chatRequest, parseChatRequest } from '../../../src/proxy/validation';

let seed = 12345;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const MISSING = Symbol('missing');

const numbers = [0, -1, 1, 0.5, 1.5, 2, 2.5, 128, 129, 2 ** 53, 2 ** 53 - 1, -0, 1e308, 3.7];
const scalars = [null, true, false, '', 'x', [], {}, ...numbers];

/** Mostly plausible values (so the accepting side is exercised), with invalid ones mixed in. */
const mostly = (good: readonly unknown[], any: readonly unknown[]): unknown => (rand() < 0.9 ? pick(good) : pick(any));

const messageVariants = (): unknown => {
  if (rand() < 0.03) return pick([null, 'text', 1, []]);
  const role = mostly(['system', 'developer', 'user', 'assistant', 'tool'], ['bogus', '', 1, MISSING]);
  const m: Record<string, unknown> = {};
  if (role !== MISSING) m.role = role;
  const content = mostly(['hi', ''], [MISSING, null, 1, [], [{ type: 'text', text: 'a' }], [{ type: 'image_url', image_url: { url: '' } }], {}]);
  if (content !== MISSING) m.content = content;
  const name = mostly([MISSING], ['n', 1, null]);
  if (name !== MISSING) m.name = name;
  const toolCallId = mostly([MISSING, 'c1'], ['', 1]);
  if (toolCallId !== MISSING) m.tool_call_id = toolCallId;
  const toolCalls = mostly([MISSING], [[], [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }], null]);
  if (toolCalls !== MISSING) m.tool_calls = toolCalls;
  if (rand() < 0.1) m.extra = 'kept';
  return m;
};

function generate(): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const set = (key: string, good: readonly unknown[], any: readonly unknown[]): void => {
    const v = mostly([MISSING, ...good], any);
    if (v !== MISSING) body[key] = v;
  };
  set('model', ['demo-chat', 'm'.repeat(256)], [MISSING, '', 'm'.repeat(257), '😀'.repeat(129), 1, null]);
  const messages = mostly(['list'], [null, 'x', {}, MISSING, []]);
  if (messages === 'list') body.messages = Array.from({ length: 1 + Math.floor(rand() * 3) }, messageVariants);
  else if (messages !== MISSING) body.messages = messages;
  set('max_tokens', [1, 256, null], scalars);
  set('max_completion_tokens', [1, 256, null], scalars);
  set('temperature', [0, 0.2, 2, null], scalars);
  set('top_p', [0, 1, 0.5, null], scalars);
  set('n', [1, 128, null], scalars);
  set('seed', [-1, 0, 7, null], scalars);
  set('stream', [true, false, null], scalars);
  set('stream_options', [{ include_usage: true }, null, {}], [...scalars, { include_usage: 'yes' }]);
  set('stop', ['a', null], [...scalars, ['a'], ['a', 'b', 'c', 'd', 'e'], [1]]);
  set('tools', [null], [...scalars, [{ type: 'function', function: { name: 'f' } }]]);
  set('tool_choice', ['none', 'auto', 'required', null], [...scalars, 'sometimes', { type: 'function', function: { name: 'f' } }]);
  set('user', ['u', null], scalars);
  if (rand() < 0.2) body.unknown_field = { anything: [1, 2] };
  return body;
}

test('every generated body the fast check accepts, the schema accepts too', () => {
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const body = generate();
    if (isPlainValidChat(body)) {
      accepted++;
      const result = chatRequest.safeParse(body);
      if (!result.success) throw new Error(`fast check accepted what zod rejects: ${JSON.stringify(body)}: ${result.error.message}`);
    }
  }
  expect(accepted).toBeGreaterThan(200); // the generator really exercises the accepting side
});

test('the common request takes the fast path and comes back as the same object; the rest still gets zod\'s errors', () => {
  const body = {
    model: 'demo-chat', temperature: 0.2, max_tokens: 256, user: 'u', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }, { role: 'assistant', content: null }, { role: 'tool', content: 'r', tool_call_id: 'c' }],
  };
  expect(isPlainValidChat(body)).toBe(true);
  expect(parseChatRequest(body)).toBe(body);
  expect(() => parseChatRequest({ ...body, temperature: 3 })).toThrow(/temperature/);
  expect(() => parseChatRequest({ ...body, messages: [{ role: 'user', content: [] }] })).toThrow(/messages\[0\]\.content/);
  const parts = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }] };
  expect(isPlainValidChat(parts)).toBe(false);
  expect(parseChatRequest(parts)).toEqual(parts);
});
