/**
 * Hostile and broken clients: malformed and oversized requests, headers and bodies dripped byte by byte
 * (slowloris), bodies abandoned half-way — alongside a steady load of well-behaved clients that must not notice.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { startChaosStack, BODY_LIMIT_BYTES, CHAOS_MODEL, type ChaosKey, type ChaosStack } from './lib/stack';
import { sendRaw, startLoad, stopAllLoads, type LoadOptions, type Outcome, type RequestSpec } from './lib/load';
import { eventually, expectAnswers, expectIdle, expectInvariants, expectMemoryNearBaseline, summarize } from './lib/checks';
import { drip, partialRequest, postHead, statusOf } from './lib/raw';
import type { ProbeReply } from './lib/protocol';

// Short client timeouts so the slow-client cases take seconds; production defaults are 30 s and 60 s.
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;

let stack: ChaosStack;
let baseline: ProbeReply;

const loadFor = (apiKey: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  origin: stack.gateway.url, apiKey, model: CHAOS_MODEL, concurrency: 4, kinds: ['chat', 'stream', 'messages'], thinkMs: 10, ...extra,
});

beforeAll(async () => {
  stack = await startChaosStack({
    env: { GATEHOUSE_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), GATEHOUSE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
  });
  const warm = await stack.newKey('warm-up');
  const load = startLoad(loadFor(warm.key));
  await load.waitFor(300);
  await load.stop();
  baseline = await stack.gateway.probe();
}, 180_000);

afterEach(async () => {
  await stopAllLoads();
  stack?.setUpstreamFault(null);
});

afterAll(async () => {
  await stack?.close();
}, 60_000);

const json = (key: ChaosKey, body: string | Buffer | Readable, extra: Record<string, string> = {}, path = '/v1/chat/completions'): RequestSpec => ({
  path, headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json', ...extra }, body,
});
const chat = (content: string): string => JSON.stringify({ model: CHAOS_MODEL, messages: [{ role: 'user', content }] });

/** The audit event of one request (by the request id the client chose), once the pipeline delivered it. */
async function auditedAs(requestId: string): Promise<{ status?: number; errorCode?: string | null }> {
  let found: { status?: number; errorCode?: string | null } | null = null;
  await eventually(async () => {
    const { rows } = await stack.pool.query<{ body: string }>(
      `SELECT body FROM audit_events WHERE type LIKE 'request.%' AND body LIKE $1`, [`%"requestId":"${requestId}"%`]);
    if (rows.length > 1) return `${rows.length} events for ${requestId}`;
    if (rows.length === 1) found = (JSON.parse(rows[0].body) as { request: { status?: number; errorCode?: string | null } }).request;
    return found ? null : `no audit event for ${requestId} yet`;
  }, 30_000, `audit event of ${requestId}`);
  return found!;
}

test('malformed requests: 400/404/415 with the code that says why, each audited and never booked', async () => {
  const key = await stack.newKey('malformed');
  const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
  const cases: Array<[RequestSpec, number, string]> = [
    [json(key, '{"model": "chaos-chat", "messages": ['), 400, 'invalid_json'],
    [json(key, ''), 400, 'empty_body'],
    [json(key, '[1, 2, 3]'), 400, 'invalid_json'],
    [json(key, 'null'), 400, 'invalid_json'],
    [json(key, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'invalid_json'],
    [json(key, chat('hi'), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    [json(key, JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })), 404, 'model_not_found'],
    [json(key, deep), 400, 'invalid_request'],
    [json(key, JSON.stringify({ model: CHAOS_MODEL, messages: 'hi' })), 400, 'invalid_request'],
    [json(key, JSON.stringify({ model: CHAOS_MODEL, messages: [{ role: 'user', content: 42 }] })), 400, 'invalid_request'],
    [json(key, JSON.stringify({ model: CHAOS_MODEL, max_tokens: -1, messages: [{ role: 'user', content: 'x' }] }), { 'anthropic-version': '2023-06-01' }, '/v1/messages'), 400, 'invalid_request'],
  ];
  const outcomes: Outcome[] = [];
  for (const [i, [spec]] of cases.entries()) outcomes.push(await sendRaw(stack.gateway.url, spec, i));
  const wrong = outcomes.filter((o, i) => o.status !== cases[i][1] || o.errorCode !== cases[i][2])
    .map((o) => `case ${o.n}: ${o.status} ${o.errorCode}, expected ${cases[o.n][1]} ${cases[o.n][2]}`);
  expect(wrong).toEqual([]);
  await expectInvariants(stack, key, outcomes, baseline, { allowed: { 400: ['invalid_json', 'empty_body', 'invalid_request'], 404: ['model_not_found'], 415: ['unsupported_media_type'] } });
});

test('oversized bodies: 413 whether the length is declared or the body is streamed, audited', async () => {
  const key = await stack.newKey('oversized');
  const big = chat('x'.repeat(BODY_LIMIT_BYTES * 2));
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < 64; i++) yield Buffer.alloc(8 * 1024, 0x20); // 512 KiB of JSON whitespace, no length declared
  }
  const outcomes = [
    await sendRaw(stack.gateway.url, json(key, big), 0),
    await sendRaw(stack.gateway.url, json(key, Readable.from(chunks())), 1),
  ];
  expect(outcomes.map((o) => `${o.status} ${o.errorCode}`)).toEqual(['413 request_too_large', '413 request_too_large']);
  // A gigabyte announced, a few bytes sent: refused at once from the declared length, not after reading it.
  const requestId = `chaos-${randomUUID()}`;
  const head = postHead('/v1/chat/completions', { authorization: `Bearer ${key.key}`, 'content-type': 'application/json', 'x-request-id': requestId }, 1_000_000_000);
  const declared = await partialRequest(stack.gateway.url, head, '{"model":', { waitMs: 10_000 });
  expect(statusOf(declared.response)).toBe(413);
  expect(await auditedAs(requestId)).toMatchObject({ status: 413, errorCode: 'request_too_large' });
  outcomes.push(rawOutcome(requestId, 2, 413, 'request_too_large'));
  await expectInvariants(stack, key, outcomes, baseline, { allowed: { 413: ['request_too_large'] } });
});

test('garbage and oversized headers are refused by the HTTP parser (400/431) and the connection closed', async () => {
  const garbage = await partialRequest(stack.gateway.url, '\x16\x03\x01\x02\x00 not http at all\r\n\r\n', '', { waitMs: 10_000 });
  const hugeHeader = await partialRequest(stack.gateway.url,
    `GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, '', { waitMs: 10_000 });
  expect([statusOf(garbage.response), garbage.closedByServer]).toEqual([400, true]);
  expect([statusOf(hugeHeader.response), hugeHeader.closedByServer]).toEqual([431, true]);
  await expectIdle(stack);
});

test('slowloris: headers dripped byte by byte are cut off with 408, while other clients are served', async () => {
  const key = await stack.newKey('slowloris-headers');
  const load = startLoad(loadFor(key.key));
  const prefix = 'POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nX-Slow: ';
  const slow = await Promise.all(Array.from({ length: 20 }, () => drip(stack.gateway.url, prefix, 'abcdefgh', 100, 30_000)));
  const outcomes = await load.stop();
  console.log(`slowloris (headers): ${summarize(outcomes)}; ${slow.filter((s) => s.closedByServer).length}/20 slow connections cut`);
  expect(slow.map((s) => s.closedByServer)).toEqual(slow.map(() => true));
  expect(slow.map((s) => statusOf(s.response))).toEqual(slow.map(() => 408));
  expectAnswers(outcomes, { 200: [] });
  await expectInvariants(stack, key, outcomes, baseline, { allowed: { 200: [] } });
});

test('slow body: a body dripped byte by byte is cut off with 408 and audited as such', async () => {
  const key = await stack.newKey('slowloris-body');
  const load = startLoad(loadFor(key.key));
  const ids = Array.from({ length: 10 }, () => `chaos-${randomUUID()}`);
  const body = chat('a body that takes forever to arrive');
  const slow = await Promise.all(ids.map((id) => drip(stack.gateway.url,
    postHead('/v1/chat/completions', { authorization: `Bearer ${key.key}`, 'content-type': 'application/json', 'x-request-id': id }, body.length),
    body, 100, 30_000)));
  const outcomes = await load.stop();
  console.log(`slowloris (body): ${summarize(outcomes)}; ${slow.filter((s) => s.closedByServer).length}/10 slow bodies cut`);
  expect(slow.map((s) => s.closedByServer)).toEqual(slow.map(() => true));
  expect(slow.map((s) => statusOf(s.response))).toEqual(slow.map(() => 408));
  for (const id of ids) expect(await auditedAs(id)).toMatchObject({ status: 408 });
  expectAnswers(outcomes, { 200: [] });
  // The slow requests are audited too: check the well-behaved ones' books on their own.
  await expectInvariants(stack, key, [...outcomes, ...ids.map((requestId, n) => rawOutcome(requestId, n + outcomes.length, 408, 'request_timeout'))], baseline, {
    allowed: { 200: [], 408: ['request_timeout'] },
  });
});

test('a request body abandoned mid-way: audited as a client disconnect, nothing left in flight', async () => {
  const key = await stack.newKey('abandoned-body');
  const ids = Array.from({ length: 10 }, () => `chaos-${randomUUID()}`);
  const body = chat('half of this is never sent');
  await Promise.all(ids.map((id) => partialRequest(stack.gateway.url,
    postHead('/v1/chat/completions', { authorization: `Bearer ${key.key}`, 'content-type': 'application/json', 'x-request-id': id }, body.length),
    body.slice(0, 20), { hangUp: true, waitMs: 0 })));
  for (const id of ids) expect(await auditedAs(id)).toMatchObject({ status: 499, errorCode: 'client_closed_request' });
  await expectIdle(stack);
  await expectMemoryNearBaseline(stack, baseline);
});

/** A request sent over a bare socket, as the invariants see it. */
function rawOutcome(requestId: string, n: number, status: number, errorCode: string): Outcome {
  return {
    n, kind: 'chat', requestId, status, errorCode, streamError: false, retryAfter: null, usage: null, text: '',
    done: false, clientAborted: false, hung: false, networkError: null,
  };
}
