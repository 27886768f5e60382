import OpenAI from 'openai';
import { startTestStack, type TestStack } from '../helpers/stack';
import { mockEndpoint } from '../helpers/endpoints';

let stack: TestStack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startTestStack({
    extraEndpoints: (mock) => [
      mockEndpoint(mock, 'anthropic-only', '/anthropic/v1', [['echo-via-anthropic', 'demo-echo'], ['chat-via-anthropic', 'demo-chat']], { provider: 'anthropic' }),
    ],
  });
  client = new OpenAI({ apiKey: stack.apiKey, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
});
afterAll(() => stack.close());

/** What reached the mock provider, over its HTTP inspection route (as a user would look). */
const mockRequests = async (): Promise<Array<{ path: string; body: any }>> => {
  const listing = (await (await fetch(`${stack.mock.url}/__mock/requests`)).json()) as { requests: Array<{ path: string; body: any }> };
  return listing.requests;
};

describe('OpenAI SDK against the gateway', () => {
  test('chat completion returns the mock answer with usage and the requested model name', async () => {
    const res = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('demo-chat');
    expect(res.choices[0].message.content).toMatch(/^Gatehouse mock provider here\./);
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage!.completion_tokens).toBeGreaterThan(10);
    expect(res._request_id).toMatch(/^req_/);
  });

  test('demo-echo shows exactly what reached the provider, system and user text included', async () => {
    const res = await client.chat.completions.create({
      model: 'demo-echo',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What leaves the building?' }],
    });
    const text = res.choices[0].message.content!;
    expect(text).toContain('Be brief.');
    expect(text).toContain('What leaves the building?');
  });

  test('streaming assembles to the same text as the non-streaming answer, usage only when asked', async () => {
    const plain = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'Stream please' }] });
    const stream = await client.chat.completions.create({
      model: 'demo-chat', messages: [{ role: 'user', content: 'Stream please' }], stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
      expect(chunk.model).toBe('demo-chat');
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text).toBe(plain.choices[0].message.content);
    expect(usage!.completion_tokens).toBe(plain.usage!.completion_tokens);

    const noUsage = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const chunk of noUsage) expect(chunk.usage ?? null).toBeNull();
  });

  test('tools: the model calls the named tool and the round trip with the tool result works', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{
      type: 'function',
      function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    }];
    const first = await client.chat.completions.create({
      model: 'demo-chat', tools, messages: [{ role: 'user', content: 'Use get_weather for Paris' }],
    });
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(() => JSON.parse(call.function.arguments)).not.toThrow();

    const second = await client.chat.completions.create({
      model: 'demo-chat', tools,
      messages: [
        { role: 'user', content: 'Use get_weather for Paris' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' },
      ],
    });
    expect(second.choices[0].message.content).toContain('sunny, 21 C');
  });

  test('tool calls stream as deltas', async () => {
    const stream = await client.chat.completions.create({
      model: 'demo-chat', stream: true,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: 'please lookup this' }],
    });
    let name = '';
    let args = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      for (const t of delta?.tool_calls ?? []) {
        name += t.function?.name ?? '';
        args += t.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('lookup');
    expect(() => JSON.parse(args)).not.toThrow();
    expect(finish).toBe('tool_calls');
  });

  test('multi-part content reaches the provider part by part', async () => {
    const res = await client.chat.completions.create({
      model: 'demo-echo',
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'Describe this picture.' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ] }],
    });
    expect(res.choices[0].message.content).toContain('Describe this picture.');
    const sent = (await mockRequests()).filter((r) => r.path.endsWith('/chat/completions')).at(-1)!;
    expect(sent.body.messages[0].content[1].type).toBe('image_url');
  });

  test('embeddings (the SDK asks for base64 and decodes it) and explicit floats', async () => {
    const res = await client.embeddings.create({ model: 'demo-embed', input: ['first text', 'second text'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0].embedding.length).toBeGreaterThan(8);
    expect(typeof res.data[0].embedding[0]).toBe('number');
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const floats = await client.embeddings.create({ model: 'demo-embed', input: 'first text', encoding_format: 'float' });
    expect(floats.data[0].embedding).toEqual(res.data[0].embedding.map((v) => expect.closeTo(v, 5)));
  });

  test('models lists the catalog models the key may use', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['demo-chat', 'demo-echo', 'demo-embed', 'echo-via-anthropic']));
  });

  test('OpenAI client → Anthropic-format provider, plain and streaming', async () => {
    const res = await client.chat.completions.create({
      model: 'echo-via-anthropic', max_tokens: 300,
      messages: [{ role: 'system', content: 'System rules.' }, { role: 'user', content: 'Translate me' }],
    });
    expect(res.choices[0].message.content).toContain('Translate me');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    const sent = (await mockRequests()).filter((r) => r.path.startsWith('/anthropic/')).at(-1)!;
    expect(sent.path).toBe('/anthropic/v1/messages');
    expect(sent.body.system).toEqual(expect.anything());
    expect(sent.body.messages[0].role).toBe('user');

    const plain = await client.chat.completions.create({ model: 'chat-via-anthropic', messages: [{ role: 'user', content: 'hi' }] });
    const stream = await client.chat.completions.create({ model: 'chat-via-anthropic', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0].message.content);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  test('a request the chosen provider cannot take is a 400, not an upstream failure', async () => {
    await expect(client.chat.completions.create({ model: 'echo-via-anthropic', n: 2, messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 400, code: 'unsupported_by_provider' });
  });

  test('usage and cost of each request land in the ledger', async () => {
    const res = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'bill me' }] });
    await stack.gateway.services.usage.flush();
    const { rows } = await stack.pool.query('SELECT * FROM usage_records WHERE request_id = $1', [res._request_id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].endpoint_id).toBe('mock-us');
    expect(rows[0].prompt_tokens).toBe(res.usage!.prompt_tokens);
    expect(rows[0].completion_tokens).toBe(res.usage!.completion_tokens);
    const expected = (res.usage!.prompt_tokens * 10 + res.usage!.completion_tokens * 30) / 1e6;
    expect(Number(rows[0].cost_usd)).toBeCloseTo(expected, 8);
  });
});
