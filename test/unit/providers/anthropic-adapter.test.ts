import { CANNED_TEXT, startMockProvider, type MockProvider } from '../../../src/mock';
import {
  anthropicResponseToChat,
  chatToAnthropicRequest,
  getAdapter,
  RequestValidationError,
  UpstreamError,
  type ChatChunk,
  type ChatRequest,
} from '../../../src/providers';
import { call, collect, rawServer, target } from './helpers';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.clearRequests());

const anthropic = getAdapter('anthropic');
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('canonical → Anthropic request', () => {
  it('lifts system messages, maps parts, tools, tool results, stop and limits', () => {
    const req: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image, and the weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
          ],
        },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '21C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '25C' }] },
      ],
      tools: [weatherTool],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stop: 'END',
      temperature: 1.5,
      max_tokens: 300,
      user: 'u-1',
    };
    expect(chatToAnthropicRequest(req, 'claude-x', true)).toEqual({
      model: 'claude-x',
      max_tokens: 300,
      stream: true,
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Use metric units.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image, and the weather?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '21C' },
            { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '25C' }] },
          ],
        },
      ],
      temperature: 1,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: weatherTool.function.parameters }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
  });

  it('defaults max_tokens and rejects what Anthropic cannot take', () => {
    expect(chatToAnthropicRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, 'm', false).max_tokens).toBe(4096);
    const audio: ChatRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }] };
    expect(() => chatToAnthropicRequest(audio, 'm', false)).toThrow(RequestValidationError);
    try {
      chatToAnthropicRequest(audio, 'm', false);
    } catch (e) {
      expect((e as RequestValidationError).param).toBe('messages[0].content[0]');
    }
    expect(() => chatToAnthropicRequest({ model: 'x', n: 2, messages: [{ role: 'user', content: 'hi' }] }, 'm', false)).toThrow(/n must be 1/);
  });
});

describe('Anthropic response → canonical', () => {
  it('maps content, tool_use, stop reasons and cache usage', () => {
    const res = anthropicResponseToChat({
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x',
      content: [{ type: 'text', text: 'Let me check. ' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50 },
    });
    expect(res.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'Let me check. ', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      finish_reason: 'tool_calls',
    });
    expect(res.usage).toEqual({ prompt_tokens: 1150, completion_tokens: 20, total_tokens: 1170, prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 50 } });
  });
});

describe('Anthropic adapter against the mock', () => {
  const t = (): ReturnType<typeof target> => target('anthropic', `${mock.url}/anthropic/v1`);

  it('chat: sends x-api-key and anthropic-version, returns the canonical answer', async () => {
    const res = await anthropic.chat({ model: 'x', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'echo me' }] }, call(t(), 'demo-echo'));
    expect(res.choices[0]!.message.content).toBe('S\necho me');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    const [rec] = mock.requests();
    expect(rec!.path).toBe('/anthropic/v1/messages');
    expect(rec!.headers['x-api-key']).toBe('[present]');
    expect(rec!.headers['anthropic-version']).toBe('2023-06-01');
    expect(rec!.body).toEqual({ model: 'demo-echo', max_tokens: 4096, system: 'S', messages: [{ role: 'user', content: 'echo me' }] });
  });

  it('stream: text assembles, finish and usage chunks follow when include_usage is set', async () => {
    const chunks = await collect(await anthropic.chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, call(t())));
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(CANNED_TEXT);
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBeGreaterThan(10);
    expect(chunks[chunks.length - 2]!.choices[0]!.finish_reason).toBe('stop');
    const noUsage = await collect(await anthropic.chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true }, call(t())));
    expect(noUsage.some((c) => c.usage)).toBe(false);
  });

  it('stream with a tool call: id/name first, argument deltas after, finish tool_calls', async () => {
    const chunks: ChatChunk[] = await collect(await anthropic.chatStream({ model: 'x', messages: [{ role: 'user', content: 'call get_weather' }], tools: [weatherTool], stream: true }, call(t())));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(deltas[0]!.id).toMatch(/^toolu_/);
    expect(JSON.parse(deltas.map((d) => d.function.arguments ?? '').join(''))).toEqual({ city: 'Paris' });
    expect(chunks[chunks.length - 1]!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('errors: 529-style overload, cut stream, in-band error event, embeddings', async () => {
    const overloaded = anthropic.chat({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, call(target('anthropic', `${mock.url}/fault/status=529/v1`)));
    await expect(overloaded).rejects.toMatchObject({ kind: 'http', status: 529, retryable: true, providerCode: 'overloaded_error' });

    const cut = await anthropic.chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true }, call(target('anthropic', `${mock.url}/cut/v1`)));
    await expect(collect(cut)).rejects.toMatchObject({ kind: 'stream_cut' });

    const srv = await rawServer((_rq, rs) => {
      rs.writeHead(200, { 'content-type': 'text/event-stream' });
      rs.end('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    });
    try {
      const s = await anthropic.chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true }, call(target('anthropic', `${srv.url}/v1`)));
      const err = await collect(s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({ kind: 'stream_cut', providerCode: 'overloaded_error', providerMessage: 'Overloaded' });
    } finally {
      await srv.close();
    }
    await expect(anthropic.embeddings({ model: 'x', input: 'a' }, call(t()))).rejects.toMatchObject({ kind: 'protocol', retryable: false });
  });
});
