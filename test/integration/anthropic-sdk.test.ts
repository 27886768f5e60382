import Anthropic from '@anthropic-ai/sdk';
import { startTestStack, type TestStack } from '../helpers/stack';
import { mockEndpoint } from '../helpers/endpoints';

let stack: TestStack;
let client: Anthropic;

beforeAll(async () => {
  stack = await startTestStack({
    extraEndpoints: (mock) => [
      mockEndpoint(mock, 'anthropic-only', '/anthropic/v1', [['claude-echo', 'demo-echo']], { provider: 'anthropic' }),
    ],
  });
  client = new Anthropic({ apiKey: stack.apiKey, baseURL: stack.gateway.url, maxRetries: 0 });
});
afterAll(() => stack.close());

describe('Anthropic SDK against the gateway', () => {
  test('messages.create through an OpenAI-format provider (translated both ways)', async () => {
    const msg = await client.messages.create({
      model: 'demo-echo', max_tokens: 256, system: 'Keep it short.',
      messages: [{ role: 'user', content: 'Hello from Anthropic land' }],
    });
    expect(msg.type).toBe('message');
    expect(msg.role).toBe('assistant');
    expect(msg.model).toBe('demo-echo');
    const text = msg.content.filter((b) => b.type === 'text').map((b) => (b as Anthropic.TextBlock).text).join('');
    expect(text).toContain('Hello from Anthropic land');
    expect(text).toContain('Keep it short.');
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
    const sent = stack.mock.requests().filter((r) => r.path.endsWith('/chat/completions')).at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect((sent.body as { messages: Array<{ role: string }> }).messages[0].role).toBe('system');
  });

  test('streaming: the SDK assembles the same text as the non-streaming answer', async () => {
    const plain = await client.messages.create({ model: 'demo-chat', max_tokens: 512, messages: [{ role: 'user', content: 'hi' }] });
    const stream = client.messages.stream({ model: 'demo-chat', max_tokens: 512, messages: [{ role: 'user', content: 'hi' }] });
    const events: string[] = [];
    stream.on('streamEvent', (e) => events.push(e.type));
    const final = await stream.finalMessage();
    const text = (b: Anthropic.ContentBlock[]): string => b.map((x) => (x.type === 'text' ? x.text : '')).join('');
    expect(text(final.content)).toBe(text(plain.content));
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events.at(-1)).toBe('message_stop');
  });

  test('tool use round trip through an OpenAI-format provider', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'get_time', description: 'Current time in a zone', input_schema: { type: 'object', properties: { zone: { type: 'string' } } } }];
    const first = await client.messages.create({ model: 'demo-chat', max_tokens: 256, tools, messages: [{ role: 'user', content: 'call get_time for Tokyo' }] });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(use.name).toBe('get_time');
    expect(typeof use.input).toBe('object');
    const second = await client.messages.create({
      model: 'demo-chat', max_tokens: 256, tools,
      messages: [
        { role: 'user', content: 'call get_time for Tokyo' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '09:30 JST' }] },
      ],
    });
    expect((second.content[0] as Anthropic.TextBlock).text).toContain('09:30 JST');
  });

  test('Anthropic client → Anthropic-format provider, streaming', async () => {
    const stream = client.messages.stream({ model: 'claude-echo', max_tokens: 256, messages: [{ role: 'user', content: 'echo me back' }] });
    const final = await stream.finalMessage();
    expect((final.content[0] as Anthropic.TextBlock).text).toContain('echo me back');
    const sent = stack.mock.requests().filter((r) => r.path.startsWith('/anthropic/')).at(-1)!;
    expect(sent.path).toBe('/anthropic/v1/messages');
  });

  test('models.list in Anthropic shape', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['demo-chat', 'claude-echo']));
    expect(ids).not.toContain('demo-embed');
  });

  test('errors come back in Anthropic shape', async () => {
    const bad = new Anthropic({ apiKey: 'gh_notarealkey000000000000000000000000000000', baseURL: stack.gateway.url, maxRetries: 0 });
    await expect(bad.messages.create({ model: 'demo-chat', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 401, error: { type: 'error', error: { type: 'authentication_error' } } });
    await expect(client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 404, error: { error: { type: 'not_found_error' } } });
    const res = await fetch(`${stack.gateway.url}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': stack.apiKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'no max_tokens' }] }),
    });
    expect(res.status).toBe(400);
    const body = await res.json() as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/max_tokens/);
  });
});
