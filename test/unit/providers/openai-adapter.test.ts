import { CANNED_TEXT, startMockProvider, type MockProvider } from '../../../src/mock';
import { getAdapter, UpstreamError, type ChatChunk, type ChatRequest } from '../../../src/providers';
import { call, collect, rawServer, target, waitFor } from './helpers';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.clearRequests());

const openai = getAdapter('openai');
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

function text(chunks: ChatChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

async function upstreamError(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

describe('OpenAI adapter against the mock', () => {
  it('sends the upstream model, auth and request id, and returns the completion with usage', async () => {
    const t = target('openai', `${mock.url}/v1`);
    const res = await openai.chat({ model: 'client-name', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } }, call(t, 'demo-echo'));
    expect(res.choices[0]!.message.content).toBe('hi');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage!.completion_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    const [rec] = mock.requests();
    expect(rec!.path).toBe('/v1/chat/completions');
    expect(rec!.headers.authorization).toBe('[present]');
    expect(rec!.headers['x-request-id']).toBe('req-test-1');
    // model replaced, stream_options dropped for a non-streaming call (OpenAI rejects it)
    expect(rec!.body).toEqual({ model: 'demo-echo', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('streams chunks whose text assembles to the answer, with a usage chunk only when asked', async () => {
    const t = target('openai', `${mock.url}/v1`);
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } };
    const withUsage = await collect(await openai.chatStream(req, call(t)));
    expect(text(withUsage)).toBe(CANNED_TEXT);
    const last = withUsage[withUsage.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(10);
    expect(withUsage[withUsage.length - 2]!.choices[0]!.finish_reason).toBe('stop');

    const noUsage = await collect(await openai.chatStream({ ...req, stream_options: undefined }, call(t)));
    expect(text(noUsage)).toBe(CANNED_TEXT);
    expect(noUsage.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
  });

  it('returns tool calls, streamed and not', async () => {
    const t = target('openai', `${mock.url}/v1`);
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'please call get_weather' }], tools: [weatherTool] };
    const res = await openai.chat(req, call(t));
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    const tc = res.choices[0]!.message.tool_calls![0]!;
    expect(tc.function.name).toBe('get_weather');
    expect(JSON.parse(tc.function.arguments)).toEqual({ city: 'Paris' });

    const chunks = await collect(await openai.chatStream({ ...req, stream: true }, call(t)));
    const args = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((d) => d.function.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(chunks.find((c) => c.choices[0]?.delta.tool_calls?.[0]?.id)!.choices[0]!.delta.tool_calls![0]!.id).toBe(tc.id);
    expect(chunks[chunks.length - 1]!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('embeds, as floats and base64', async () => {
    const t = target('openai', `${mock.url}/v1`);
    const floats = await openai.embeddings({ model: 'x', input: ['a', 'b'], dimensions: 8 }, call(t, 'demo-embed'));
    expect(floats.data).toHaveLength(2);
    expect((floats.data[0]!.embedding as number[]).length).toBe(8);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    const b64 = await openai.embeddings({ model: 'x', input: 'a', dimensions: 8, encoding_format: 'base64' }, call(t, 'demo-embed'));
    const buf = Buffer.from(b64.data[0]!.embedding as string, 'base64');
    const decoded = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
    decoded.forEach((v, i) => expect(v).toBeCloseTo((floats.data[0]!.embedding as number[])[i]!, 5));
  });

  it('openai_compatible rewrites developer role and max_completion_tokens; openai strips top_k', async () => {
    const compat = getAdapter('openai_compatible');
    const req: ChatRequest = { model: 'x', messages: [{ role: 'developer', content: 'be brief' }, { role: 'user', content: 'q' }], max_completion_tokens: 50, top_k: 5 };
    await compat.chat(req, call(target('openai_compatible', `${mock.url}/compat/v1`)));
    await openai.chat(req, call(target('openai', `${mock.url}/v1`)));
    const [c, o] = mock.requests();
    expect(c!.body).toEqual({ model: 'demo-chat', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'q' }], max_tokens: 50, top_k: 5 });
    expect(o!.body).toEqual({ model: 'demo-chat', messages: req.messages, max_completion_tokens: 50 });
  });
});

describe('OpenAI adapter errors', () => {
  const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }] };

  it('maps 500/503 to retryable http errors with the provider message', async () => {
    const err = await upstreamError(openai.chat(req, call(target('openai', `${mock.url}/fail500/v1`))));
    expect(err).toMatchObject({ kind: 'http', status: 500, retryable: true, providerMessage: 'mock fault: injected HTTP 500' });
    const e503 = await upstreamError(openai.chatStream({ ...req, stream: true }, call(target('openai', `${mock.url}/fault/status=503/v1`))));
    expect(e503).toMatchObject({ kind: 'http', status: 503, retryable: true });
  });

  it('parses Retry-After on 429', async () => {
    const err = await upstreamError(openai.chat(req, call(target('openai', `${mock.url}/fault/status=429,retry-after=7/v1`))));
    expect(err).toMatchObject({ kind: 'http', status: 429, retryable: true, retryAfterMs: 7000 });
  });

  it('4xx is not retryable and carries the provider message and param-less code', async () => {
    const err = await upstreamError(openai.chat({ model: 'x', messages: [] }, call(target('openai', `${mock.url}/v1`))));
    expect(err).toMatchObject({ kind: 'http', status: 400, retryable: false, providerCode: 'invalid_request_error' });
    expect(err.providerMessage).toMatch(/messages/);
    const auth = await upstreamError(openai.chat(req, call(target('openai', `${mock.url}/v1`, { apiKey: undefined }))));
    expect(auth).toMatchObject({ status: 401, retryable: false });
  });

  it('times out waiting for headers (hung upstream) and closes the request', async () => {
    const t = target('openai', `${mock.url}/timeout/v1`, { timeouts: { connectMs: 500, firstByteMs: 150, totalMs: 5_000 } });
    const err = await upstreamError(openai.chat(req, call(t)));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(err.message).toMatch(/no response headers within 150 ms/);
    await waitFor(() => mock.requests()[0]?.outcome === 'client_closed');
  });

  it('enforces the total timeout on a slow stream', async () => {
    const t = target('openai', `${mock.url}/fault/chunk-delay=100/v1`, { timeouts: { connectMs: 500, firstByteMs: 1_000, totalMs: 250 } });
    const stream = await openai.chatStream({ ...req, stream: true }, call(t));
    const err = await upstreamError(collect(stream));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(err.message).toMatch(/within 250 ms/);
  });

  it('reports connection refused as a retryable connect error', async () => {
    const dead = await rawServer(() => undefined);
    const url = dead.url;
    await dead.close();
    const err = await upstreamError(openai.chat(req, call(target('openai', `${url}/v1`))));
    expect(err).toMatchObject({ kind: 'connect', status: 0, retryable: true });
  });

  it('reports a stream cut mid-way (no [DONE]) as stream_cut after the chunks that arrived', async () => {
    const stream = await openai.chatStream({ ...req, stream: true }, call(target('openai', `${mock.url}/fault/cut=3/v1`)));
    const seen: ChatChunk[] = [];
    const err = await upstreamError((async () => {
      for await (const c of stream) seen.push(c);
    })());
    expect(err).toMatchObject({ kind: 'stream_cut', retryable: true });
    expect(seen.length).toBe(3);
    // a cut non-streamed body is a cut too
    const body = await upstreamError(openai.chat(req, call(target('openai', `${mock.url}/fault/cut/v1`))));
    expect(body.kind).toBe('stream_cut');
  });

  it('treats a 2xx body that is not JSON as a retryable protocol error, and an SSE body without [DONE] as cut', async () => {
    const srv = await rawServer((rq, rs) => {
      if (rq.url!.includes('garbage')) {
        rs.writeHead(200, { 'content-type': 'application/json' });
        rs.end('<html>oops</html>');
      } else {
        rs.writeHead(200, { 'content-type': 'text/event-stream' });
        rs.end('data: {"id":"1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}\n\n');
      }
    });
    try {
      const err = await upstreamError(openai.chat(req, call(target('openai', `${srv.url}/garbage/v1`))));
      expect(err).toMatchObject({ kind: 'protocol', retryable: true });
      const stream = await openai.chatStream({ ...req, stream: true }, call(target('openai', `${srv.url}/v1`)));
      expect((await upstreamError(collect(stream))).kind).toBe('stream_cut');
    } finally {
      await srv.close();
    }
  });

  it('aborting the signal mid-stream aborts the upstream request (the mock sees the connection close)', async () => {
    const ac = new AbortController();
    const t = target('openai', `${mock.url}/fault/chunk-delay=50/v1`);
    const stream = await openai.chatStream({ ...req, stream: true }, call(t, 'demo-chat', ac.signal));
    let n = 0;
    const err = await upstreamError((async () => {
      for await (const _ of stream) {
        if (++n === 2) ac.abort();
      }
    })());
    expect(err).toMatchObject({ kind: 'aborted', retryable: false });
    await waitFor(() => mock.requests()[0]?.outcome === 'client_closed');
  });

  it('an already-aborted signal fails fast without a request; breaking out of a stream closes it', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await upstreamError(openai.chat(req, call(target('openai', `${mock.url}/v1`), 'demo-chat', ac.signal)));
    expect(err.kind).toBe('aborted');
    expect(mock.requests()).toHaveLength(0);

    const stream = await openai.chatStream({ ...req, stream: true }, call(target('openai', `${mock.url}/fault/chunk-delay=50/v1`)));
    for await (const _ of stream) break;
    await waitFor(() => mock.requests()[0]?.outcome === 'client_closed');
  });
});
