import Anthropic from '@anthropic-ai/sdk';
import { CANNED_TEXT, startMockProvider, type MockProvider } from '../../../src/mock';
import {
  anthropicErrorBody,
  anthropicRequestToChat,
  chatChunksToAnthropicEvents,
  chatResponseToAnthropic,
  chatToAnthropicRequest,
  createAnthropicStreamTranslator,
  formatAnthropicSSE,
  getAdapter,
  RequestValidationError,
  type AnthropicMessagesRequest,
  type ChatChunk,
} from '../../../src/providers';
import { call, rawServer, target } from './helpers';

function paramOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RequestValidationError);
    return (e as RequestValidationError).param;
  }
  throw new Error('expected a RequestValidationError');
}

const weather = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('anthropicRequestToChat', () => {
  it('translates a full request and round-trips back to the same Anthropic request', () => {
    const original: AnthropicMessagesRequest = {
      model: 'claude-x',
      max_tokens: 512,
      system: 'You are terse.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome? See image.' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }, { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '21C' }, { type: 'tool_result', tool_use_id: 'toolu_2', content: '25C' }] },
      ],
      stop_sequences: ['END'],
      temperature: 0.5,
      top_k: 40,
      tools: [weather],
      tool_choice: { type: 'tool', name: 'get_weather' },
      metadata: { user_id: 'user-7' },
    };
    const chat = anthropicRequestToChat(original);
    expect(chat).toEqual({
      model: 'claude-x',
      max_completion_tokens: 512,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome? See image.' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '21C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: '25C' },
      ],
      stop: ['END'],
      temperature: 0.5,
      top_k: 40,
      user: 'user-7',
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: weather.input_schema } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(chatToAnthropicRequest(chat, 'claude-x', false)).toEqual(original);
  });

  it('turns streaming on with usage, and tool results before user text', () => {
    const chat = anthropicRequestToChat({
      model: 'm', max_tokens: 10, stream: true,
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }], is_error: true }, { type: 'text', text: 'and now?' }] }],
    });
    expect(chat.stream).toBe(true);
    expect(chat.stream_options).toEqual({ include_usage: true });
    expect(chat.messages).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'Error: ok' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('rejects malformed requests naming the field', () => {
    expect(paramOf(() => anthropicRequestToChat(null))).toBe('body');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', messages: [] }))).toBe('max_tokens');
    expect(paramOf(() => anthropicRequestToChat({ model: '', max_tokens: 1, messages: [] }))).toBe('model');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1.5, messages: [] }))).toBe('max_tokens');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: 'hi' }))).toBe('messages');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] }))).toBe('messages[0].role');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [] }] }))).toBe('messages[0].content');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file' } }] }] }))).toBe('messages[0].content[0].source.type');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, temperature: 3, messages: [] }))).toBe('temperature');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: [], tools: [{ name: 'x' }] }))).toBe('tools[0].input_schema');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: [], tools: [{ type: 'web_search_20250305', name: 'web_search' }] }))).toBe('tools[0].type');
    expect(paramOf(() => anthropicRequestToChat({ model: 'm', max_tokens: 1, messages: [], tool_choice: { type: 'maybe' } }))).toBe('tool_choice.type');
  });
});

describe('chat → Anthropic responses', () => {
  it('maps a completion with text and tool calls, usage with cache tokens', () => {
    const res = chatResponseToAnthropic({
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'upstream',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Sure.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] } }],
      usage: { prompt_tokens: 120, completion_tokens: 9, total_tokens: 129, prompt_tokens_details: { cached_tokens: 100 } },
    }, 'claude-x');
    expect(res.id).toMatch(/^msg_/);
    expect(res).toMatchObject({
      type: 'message', role: 'assistant', model: 'claude-x', stop_reason: 'tool_use', stop_sequence: null,
      content: [{ type: 'text', text: 'Sure.' }, { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }],
      usage: { input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 },
    });
    expect(anthropicErrorBody(429, 'slow down')).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  });

  it('stream translator emits the event sequence Anthropic emits, text then tool use', () => {
    const base = { id: 'c1', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    const chunks: ChatChunk[] = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      { ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 } },
    ];
    const t = createAnthropicStreamTranslator({ requestedModel: 'claude-x', inputTokens: 28 });
    const events = [...chunks.flatMap((c) => t.push(c)), ...t.finish()];
    expect(events.map((e) => e.type + ('index' in e ? `#${e.index}` : ''))).toEqual([
      'message_start', 'ping',
      'content_block_start#0', 'content_block_delta#0', 'content_block_delta#0', 'content_block_stop#0',
      'content_block_start#1', 'content_block_delta#1', 'content_block_delta#1', 'content_block_stop#1',
      'message_delta', 'message_stop',
    ]);
    expect(events[0]).toMatchObject({ message: { model: 'claude-x', usage: { input_tokens: 28, output_tokens: 0 } } });
    expect(events[6]).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} } });
    expect(events[10]).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 30, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });
    expect(t.finish()).toEqual([]); // idempotent
  });
});

describe('Anthropic SDK reading the translated stream (OpenAI-format upstream → Anthropic client)', () => {
  let mock: MockProvider;
  let edge: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    mock = await startMockProvider({ port: 0 });
    // A minimal Anthropic-compatible edge: Anthropic request → canonical → OpenAI adapter → mock → events back.
    edge = await rawServer((rq, rs) => {
      let raw = '';
      rq.on('data', (c: Buffer) => (raw += c.toString()));
      rq.on('end', () => {
        void (async () => {
          const chat = anthropicRequestToChat(JSON.parse(raw));
          const stream = await getAdapter('openai').chatStream(chat, call(target('openai', `${mock.url}/v1`), chat.model));
          rs.writeHead(200, { 'content-type': 'text/event-stream' });
          for await (const ev of chatChunksToAnthropicEvents(stream, { requestedModel: chat.model })) rs.write(formatAnthropicSSE(ev));
          rs.end();
        })();
      });
    });
  });
  afterAll(async () => {
    await edge.close();
    await mock.close();
  });

  it('assembles the text and usage', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: edge.url, maxRetries: 0 });
    const msg = await client.messages.stream({ model: 'demo-chat', max_tokens: 200, messages: [{ role: 'user', content: 'hello' }] }).finalMessage();
    expect(msg.content).toHaveLength(1);
    expect(msg.content[0]).toMatchObject({ type: 'text', text: CANNED_TEXT });
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.output_tokens).toBeGreaterThan(10);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
  });

  it('assembles a tool call into tool_use input', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: edge.url, maxRetries: 0 });
    const msg = await client.messages.stream({ model: 'demo-chat', max_tokens: 200, tools: [weather as Anthropic.Tool], messages: [{ role: 'user', content: 'use get_weather' }] }).finalMessage();
    expect(msg.stop_reason).toBe('tool_use');
    const block = msg.content.find((b) => b.type === 'tool_use');
    expect(block).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
  });
});
