import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { CANNED_TEXT, parseFaultSpec, startMockProvider, type MockProvider } from '../../../src/mock';
import { parseSSE } from '../../../src/providers';
import { waitFor } from '../providers/helpers';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.clearRequests();
  mock.setFaults({});
});

async function post(path: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer k' }): Promise<Response> {
  return fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
const chatBody = { model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] };

describe('mock provider speaks OpenAI to the official SDK', () => {
  const client = (): OpenAI => new OpenAI({ apiKey: 'any', baseURL: `${mock.url}/v1`, maxRetries: 0 });

  it('chat, streaming with usage, tools, embeddings, models', async () => {
    const res = await client().chat.completions.create({ model: 'demo-echo', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'what left the gateway' }] });
    expect(res.choices[0]!.message.content).toBe('sys\nwhat left the gateway');
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);

    const stream = await client().chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(CANNED_TEXT);
    expect(usage!.completion_tokens).toBeGreaterThan(10);

    const tool = await client().chat.completions.create({
      model: 'demo-chat',
      messages: [{ role: 'user', content: 'please lookup_order 42' }],
      tools: [{ type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'integer' }, status: { type: 'string', enum: ['open', 'closed'] } }, required: ['id', 'status'] } } }],
    });
    const call = tool.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ id: 1, status: 'open' });

    const emb = await client().embeddings.create({ model: 'demo-embed', input: ['a', 'b'] });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0]!.embedding).toHaveLength(256);
    const again = await client().embeddings.create({ model: 'demo-embed', input: 'a' });
    expect(again.data[0]!.embedding).toEqual(emb.data[0]!.embedding); // deterministic

    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['demo-chat', 'demo-echo', 'demo-embed']);
  });

  it('cuts the answer at max_tokens with finish_reason length', async () => {
    const res = await client().chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage!.completion_tokens).toBe(5);
    expect(CANNED_TEXT.startsWith(res.choices[0]!.message.content!)).toBe(true);
  });
});

describe('mock provider speaks Anthropic', () => {
  it('works with the official SDK, streaming included', async () => {
    const client = new Anthropic({ apiKey: 'any', baseURL: `${mock.url}/anthropic`, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'demo-echo', max_tokens: 100, system: 'S', messages: [{ role: 'user', content: 'hello' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'S\nhello' });
    const streamed = await client.messages.stream({ model: 'demo-chat', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'text', text: CANNED_TEXT });
    expect(streamed.usage.output_tokens).toBeGreaterThan(10);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['demo-chat', 'demo-echo', 'demo-embed']);
  });

  it('emits the events in the order Anthropic does', async () => {
    const res = await post('/v1/messages', { model: 'demo-chat', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    const types: string[] = [];
    for await (const ev of parseSSE(res.body as unknown as AsyncIterable<Uint8Array>)) {
      expect(JSON.parse(ev.data).type).toBe(ev.event);
      types.push(ev.event);
    }
    const deltas = types.filter((t) => t === 'content_block_delta').length;
    expect(deltas).toBeGreaterThan(3);
    expect(types).toEqual(['message_start', 'content_block_start', 'ping', ...Array(deltas).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('requires anthropic-version and max_tokens like the real API', async () => {
    expect((await post('/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'k' })).status).toBe(400);
    const res = await post('/v1/messages', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });
});

describe('request log', () => {
  it('keeps requests without credentials, serves and clears them over HTTP', async () => {
    await post('/v1/chat/completions', chatBody, { authorization: 'Bearer sk-secret', 'x-trace': 't1' });
    const list = (await (await fetch(`${mock.url}/__mock/requests`)).json()) as { requests: Array<{ path: string; headers: Record<string, string>; body: unknown; outcome: string }> };
    expect(list.requests).toHaveLength(1);
    expect(list.requests[0]).toMatchObject({ path: '/v1/chat/completions', body: chatBody, outcome: 'completed' });
    expect(list.requests[0]!.headers.authorization).toBe('[present]');
    expect(list.requests[0]!.headers['x-trace']).toBe('t1');
    expect(JSON.stringify(list)).not.toContain('sk-secret');
    await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
    expect(mock.requests()).toHaveLength(0);
  });

  it('keeps only the last 100', async () => {
    for (let i = 0; i < 105; i++) await post('/v1/chat/completions', { ...chatBody, seq: i });
    const reqs = mock.requests();
    expect(reqs).toHaveLength(100);
    expect((reqs[0]!.body as { seq: number }).seq).toBe(5);
  });
});

describe('auth and routing', () => {
  it('requires a key header; optionally a specific key', async () => {
    const none = await post('/v1/chat/completions', chatBody, {});
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    const strict = await startMockProvider({ port: 0, expectedApiKey: 'right' });
    try {
      const wrong = await fetch(`${strict.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: JSON.stringify(chatBody) });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${strict.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer right' }, body: JSON.stringify(chatBody) });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('serves any base path prefix, 404s unknown routes, 400s bad JSON', async () => {
    expect((await post('/tenant-a/region-b/v1/chat/completions', chatBody)).status).toBe(200);
    expect((await post('/v1/completions-unknown', chatBody)).status).toBe(404);
    const bad = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{not json' });
    expect(bad.status).toBe(400);
  });
});

describe('fault injection', () => {
  it('parses fault specs and rejects bad ones', () => {
    expect(parseFaultSpec('status=429,retry-after=3,latency=10')).toEqual({ status: 429, retryAfterSec: 3, latencyMs: 10 });
    expect(parseFaultSpec('503')).toEqual({ status: 503 });
    expect(parseFaultSpec('hang')).toEqual({ hang: true });
    expect(parseFaultSpec('cut=4;chunk-delay=5;times=2')).toEqual({ cutAfterChunks: 4, chunkDelayMs: 5, times: 2 });
    expect(() => parseFaultSpec('explode')).toThrow(/unknown fault/);
    expect(() => parseFaultSpec('status=abc')).toThrow();
  });

  it('by header, by alias prefix, by /fault/ path, in each provider shape', async () => {
    const r429 = await post('/v1/chat/completions', chatBody, { authorization: 'Bearer k', 'x-mock-fault': 'status=429,retry-after=2' });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('2');
    expect((await post('/fail503/v1/chat/completions', chatBody)).status).toBe(503);
    const anth = await post('/fail500/v1/messages', { model: 'm', max_tokens: 5, messages: [] }, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    expect(anth.status).toBe(500);
    expect(await anth.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'mock fault: injected HTTP 500' } });
    expect((await post('/fault/status=418/v1/chat/completions', chatBody)).status).toBe(418);
    const badHeader = await post('/v1/chat/completions', chatBody, { authorization: 'Bearer k', 'x-mock-fault': 'nonsense' });
    expect(badHeader.status).toBe(400);
  });

  it('configured per base path (longest prefix wins) with a times budget, over HTTP', async () => {
    const set = await fetch(`${mock.url}/__mock/faults`, { method: 'POST', body: JSON.stringify({ '/flaky': { status: 500, times: 2 }, '/flaky/deeper': 'status=502' }) });
    expect(set.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/flaky/v1/chat/completions', chatBody)).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect((await post('/flaky/deeper/v1/chat/completions', chatBody)).status).toBe(502);
    expect((await post('/flakyness/v1/chat/completions', chatBody)).status).toBe(200); // prefix matches whole segments
    const bad = await fetch(`${mock.url}/__mock/faults`, { method: 'POST', body: JSON.stringify({ nope: { status: 500 } }) });
    expect(bad.status).toBe(400);
  });

  it('latency holds the response back; a hung request closed by its client is counted', async () => {
    const slow = post('/v1/chat/completions', chatBody, { authorization: 'Bearer k', 'x-mock-fault': 'latency=300' });
    await waitFor(() => mock.requests().length === 1);
    expect(mock.requests()[0]!.outcome).toBe('pending'); // recorded, not answered yet
    expect((await slow).status).toBe(200);

    const before = mock.stats().clientClosed;
    const ac = new AbortController();
    const hung = fetch(`${mock.url}/timeout/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(chatBody), signal: ac.signal }).catch((e: unknown) => e);
    await waitFor(() => mock.requests().some((r) => r.outcome === 'hung'));
    ac.abort();
    expect((await hung as { name?: string }).name).toBe('AbortError');
    await waitFor(() => mock.stats().clientClosed === before + 1);
    expect(mock.requests().find((r) => r.path.startsWith('/timeout'))!.outcome).toBe('client_closed');
  });
});
