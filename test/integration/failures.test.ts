import OpenAI from 'openai';
import { request as httpRequest } from 'node:http';
import { startTestStack, type TestStack } from '../helpers/stack';
import { mockEndpoint } from '../helpers/endpoints';
import { createApiKey } from '../../src/identity';
import { findWorkspace, revokeKey } from '../../src/db';

let stack: TestStack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startTestStack({
    config: { bodyLimitBytes: 64 * 1024 },
    extraEndpoints: (mock) => [
      // flaky-chat: the first endpoint always fails with 500, the second serves → failover.
      mockEndpoint(mock, 'broken-first', '/fail500/v1', [['flaky-chat', 'demo-chat']], { priority: 1 }),
      mockEndpoint(mock, 'healthy-second', '/v1', [['flaky-chat', 'demo-chat']], { priority: 2 }),
      mockEndpoint(mock, 'only-500', '/fail500/v1', [['broken-chat', 'demo-chat']]),
      mockEndpoint(mock, 'only-429', '/fault/status=429,retry-after=7/v1', [['limited-chat', 'demo-chat']]),
      mockEndpoint(mock, 'only-400', '/fault/status=400/v1', [['rejecting-chat', 'demo-chat']]),
      mockEndpoint(mock, 'only-hang', '/timeout/v1', [['hanging-chat', 'demo-chat']], { timeouts: { firstByteMs: 300 } }),
      mockEndpoint(mock, 'only-cut', '/fault/cut=3/v1', [['cut-chat', 'demo-chat']]),
      mockEndpoint(mock, 'slow-stream', '/fault/chunk-delay=200/v1', [['slow-chat', 'demo-chat']]),
      mockEndpoint(mock, 'unreachable', '', [['nowhere-chat', 'demo-chat']], { baseUrl: 'http://127.0.0.1:9/v1' }),
    ],
  });
  client = new OpenAI({ apiKey: stack.apiKey, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0, timeout: 15_000 });
});
afterAll(() => stack.close());

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${stack.gateway.url}${path}`, {
    method: 'POST', body,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

const chat = (model: string, extra: object = {}): string =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('authentication', () => {
  test('missing, malformed and unknown keys → 401 in OpenAI shape', async () => {
    const missing = await post('/v1/chat/completions', chat('demo-chat'), { authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    const malformed = await post('/v1/chat/completions', chat('demo-chat'), { authorization: 'Bearer sk-not-ours' });
    expect(malformed.status).toBe(401);
    const unknown = new OpenAI({ apiKey: 'gh_' + 'x'.repeat(48), baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
    await expect(unknown.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  test('a key revoked through one instance is refused by another at once (pub/sub)', async () => {
    const workspace = await findWorkspace(stack.pool, 'demo');
    const { key, record } = await createApiKey(stack.pool, { workspace, name: 'to revoke' });
    const second = await stack.startAnotherGateway();
    const viaSecond = new OpenAI({ apiKey: key, baseURL: `${second.url}/v1`, maxRetries: 0 });
    // Warm the second instance's cache: the key is now held in its memory.
    await viaSecond.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] });
    await revokeKey(stack.pool, record.id);
    await stack.gateway.services.keys.publishInvalidation(record.lookupId);
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = await viaSecond.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] })
        .then(() => 200, (err: { status: number }) => err.status);
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    await expect(viaSecond.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 401, code: 'revoked_api_key' });
  });

  test('a key limited to some models cannot see or use others', async () => {
    const workspace = await findWorkspace(stack.pool, 'demo');
    const { key } = await createApiKey(stack.pool, { workspace, name: 'echo only', allowedModels: ['demo-e*'] });
    const limited = new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of limited.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(['demo-echo', 'demo-embed']);
    await expect(limited.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });
});

test('a key with scopes may call only those routes', async () => {
  const workspace = await findWorkspace(stack.pool, 'demo');
  const { key } = await createApiKey(stack.pool, { workspace, name: 'embed only', metadata: { scopes: ['embeddings'] } });
  const scoped = new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
  await expect(scoped.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }))
    .rejects.toMatchObject({ status: 403, code: 'insufficient_scope' });
  const res = await scoped.embeddings.create({ model: 'demo-embed', input: 'x' });
  expect(res.data).toHaveLength(1);
});

test('when key records cannot be read (database gone), an uncached key gets 503, not 500', async () => {
  const isolated = await stack.startAnotherGateway();
  await isolated.pool.end();
  const res = await fetch(`${isolated.url}/v1/models`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  expect(res.status).toBe(503);
  const body = await res.json() as { error: { code: string; message: string } };
  expect(body.error.code).toBe('auth_unavailable');
  expect(body.error.message).not.toMatch(/ECONN|pool|at /);
});

describe('bad input', () => {
  test('malformed JSON → 400 invalid_json', async () => {
    const res = await post('/v1/chat/completions', '{"model": "demo-chat", "messages": [');
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    expect(JSON.stringify(res.json)).not.toMatch(/at .*\.ts|node_modules/);
  });

  test('wrong types name the offending param', async () => {
    const res = await post('/v1/chat/completions', JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 42 }] }));
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('messages[0].content');
    const temp = await post('/v1/chat/completions', chat('demo-chat', { temperature: 'hot' }));
    expect(temp.status).toBe(400);
    expect(temp.json.error.param).toBe('temperature');
    const noMessages = await post('/v1/chat/completions', JSON.stringify({ model: 'demo-chat' }));
    expect(noMessages.json.error.param).toBe('messages');
    const arr = await post('/v1/chat/completions', '[1,2]');
    expect(arr.status).toBe(400);
    const emb = await post('/v1/embeddings', JSON.stringify({ model: 'demo-embed', input: [{ not: 'text' }] }));
    expect(emb.status).toBe(400);
    expect(emb.json.error.param).toMatch(/^input/);
  });

  test('oversized body → 413 and the connection stays usable', async () => {
    const big = chat('demo-chat', { messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] });
    const res = await post('/v1/chat/completions', big);
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('request_too_large');
    const after = await post('/v1/chat/completions', chat('demo-chat'));
    expect(after.status).toBe(200);
  });

  test('unknown model → 404 model_not_found; chat model on embeddings → 400', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-nonexistent', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    await expect(client.embeddings.create({ model: 'demo-chat', input: 'x' })).rejects.toMatchObject({ status: 400 });
  });

  test('unknown route → 404 JSON', async () => {
    const res = await post('/v1/nope', '{}');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('unknown_route');
  });
});

describe('upstream failures', () => {
  test('a 500 from the first endpoint fails over to the next', async () => {
    const res = await client.chat.completions.create({ model: 'flaky-chat', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    expect(res.data.choices[0].message.content).toMatch(/Gatehouse mock/);
    expect(res.response.headers.get('x-gatehouse-endpoint')).toBe('healthy-second');
    expect(res.response.headers.get('x-gatehouse-attempts')).toBe('2');
  });

  test('500 everywhere → 502 upstream_error', async () => {
    await expect(client.chat.completions.create({ model: 'broken-chat', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 502, code: 'upstream_error' });
  });

  test('429 → 429 with Retry-After passed on', async () => {
    const res = await post('/v1/chat/completions', chat('limited-chat'));
    expect(res.status).toBe(429);
    expect(res.json.error.code).toBe('upstream_rate_limited');
    expect(res.headers.get('retry-after')).toBe('7');
  });

  test('a provider 400 keeps its status and message', async () => {
    const res = await post('/v1/chat/completions', chat('rejecting-chat'));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('upstream_rejected');
  });

  test('an upstream that never answers → 504 within the first-byte timeout', async () => {
    const res = await post('/v1/chat/completions', chat('hanging-chat'));
    expect(res.status).toBe(504);
    expect(res.json.error.code).toBe('upstream_timeout');
    const streamed = await post('/v1/chat/completions', chat('hanging-chat', { stream: true }));
    expect(streamed.status).toBe(504);
  });

  test('connection refused → 502 upstream_unreachable', async () => {
    const res = await post('/v1/chat/completions', chat('nowhere-chat'));
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('upstream_unreachable');
  });

  test('a stream cut mid-way ends with an error event the SDK raises, and nothing hangs', async () => {
    const stream = await client.chat.completions.create({ model: 'cut-chat', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    await expect((async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })()).rejects.toThrow(/stream/i);
    expect(text.length).toBeGreaterThan(0);
    const plain = await post('/v1/chat/completions', chat('cut-chat'));
    expect(plain.status).toBe(502);
  });

  test('a client disconnecting mid-stream aborts the upstream request', async () => {
    const before = stack.mock.stats().clientClosed;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', () => undefined);
      req.end(chat('slow-chat', { stream: true }));
      setTimeout(() => reject(new Error('no first chunk')), 5000);
    });
    let closed = false;
    for (let i = 0; i < 100 && !closed; i++) {
      closed = stack.mock.stats().clientClosed > before;
      if (!closed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(closed).toBe(true);
    await stack.gateway.services.usage.flush();
    const { rows } = await stack.pool.query(`SELECT error_code FROM usage_records WHERE model = 'slow-chat'`);
    expect(rows.map((r) => r.error_code)).toContain('client_closed_request');
  });
});

describe('operations', () => {
  test('healthz, readyz and metrics', async () => {
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_requests_total\{route="chat.completions",status="200"\} \d+/);
    expect(metrics).toMatch(/gatehouse_upstream_errors_total\{provider="openai",endpoint="broken-first",kind="http"\}/);
    expect(metrics).toMatch(/gatehouse_request_duration_seconds_bucket/);
  });

  test('graceful shutdown lets an in-flight stream finish', async () => {
    const extra = await stack.startAnotherGateway();
    const c = new OpenAI({ apiKey: stack.apiKey, baseURL: `${extra.url}/v1`, maxRetries: 0 });
    const stream = await c.chat.completions.create({ model: 'slow-chat', messages: [{ role: 'user', content: 'x' }], stream: true, max_tokens: 8 });
    const closing = extra.close();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    await closing;
    expect(text.length).toBeGreaterThan(0);
  });
});
