/**
 * Shadow mode on real traffic (openai SDK, real PostgreSQL/Redis, mock provider): a draft that
 * denies everything runs next to the live policy; requests are still served exactly as the live
 * policy decides, and each request's audit event carries the shadow verdict; a shadow policy that
 * fails at evaluation time only records an error; stopping the shadow stops the verdicts.
 */
process.env.GATEHOUSE_ADMIN_COOKIE_SECURE = 'false';
import OpenAI from 'openai';
import request from 'supertest';
import { startTestStack, type TestStack } from '../helpers/stack';
import { insertPolicyData, upsertOrganisation, upsertWorkspace, type Organisation, type Workspace } from '../../src/db';
import { createApiKey } from '../../src/identity';
import { insertDraft } from '../../src/policy/lifecycle';
import { adminTokenFor, bearer, createUser } from './admin/fixtures';

let stack: TestStack;
let org: Organisation;
let ws: Workspace;
let token: string;
let client: OpenAI;
const VALID = { ok: true, errors: [], warnings: [], tests: { passed: 0, failed: 0, results: [] } };

beforeAll(async () => {
  stack = await startTestStack();
  org = await upsertOrganisation(stack.pool, 'shadowco', 'Shadow Co');
  ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
  const owner = await createUser(stack.pool, org.id, 'owner@shadow.test', [{ role: 'owner', workspaceId: null }]);
  token = (await adminTokenFor(stack.pool, org.id, owner.id)).token;
  client = new OpenAI({ apiKey: (await createApiKey(stack.pool, { workspace: ws, name: 'app' })).key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
}, 60_000);
afterAll(async () => { await stack?.close(); });

const admin = (method: 'post' | 'delete', path: string, body?: object) =>
  request(stack.gateway.url)[method](`/admin/v1/orgs/shadowco/workspaces/main${path}`).set(bearer(token)).send(body);

/** Request events of the workspace whose request id is one of `ids`, once all have been chained. */
async function eventsFor(ids: string[]): Promise<Array<Record<string, any>>> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await stack.pool.query(`SELECT body FROM audit_events WHERE org_id = $1 AND type LIKE 'request.%' ORDER BY seq`, [org.id]);
    const events = rows.map((r) => JSON.parse(r.body)).filter((e) => ids.includes(e.request?.requestId));
    if (events.length >= ids.length) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('request events did not arrive');
}

async function shadowCounts(): Promise<Record<string, number>> {
  const text = (await request(stack.gateway.url).get('/metrics').expect(200)).text;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^gatehouse_policy_shadow_decisions_total\{changed="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

async function traffic(): Promise<string[]> {
  const ids: string[] = [];
  const chat = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'hello there' }] });
  expect(chat.choices[0].message.content).toBeTruthy();
  ids.push(chat._request_id!);
  const { data: stream, response } = await client.chat.completions.create({ model: 'demo-echo', stream: true, messages: [{ role: 'user', content: 'echo me' }] }).withResponse();
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toContain('echo me');
  ids.push(response.headers.get('x-request-id')!);
  const emb = await client.embeddings.create({ model: 'demo-embed', input: 'vectors' }).withResponse();
  expect(emb.data.data.length).toBe(1);
  ids.push(emb.response.headers.get('x-request-id')!);
  return ids;
}

test('a shadow draft that denies everything changes nothing for the requests; their audit events carry its verdict', async () => {
  const created = await admin('post', '/policy/drafts', { data: { models: { deny: ['*'] } }, note: 'deny all' }).expect(201);
  const draftId = created.body.id as number;
  await admin('post', `/policy/drafts/${draftId}/shadow`).expect(200);
  const before = await shadowCounts();

  const ids = await traffic();
  const events = await eventsFor(ids);
  expect(events.map((e) => e.type)).toEqual(['request.completed', 'request.completed', 'request.completed']);
  for (const e of events) {
    expect(e.decision).toMatchObject({ allow: true, rules: [] });
    expect(e.shadow).toEqual({ version: `draft:${draftId}`, draftId, allow: false, deny: ['model_denied'], changed: true });
  }
  const after = await shadowCounts();
  expect((after.true ?? 0) - (before.true ?? 0)).toBe(3);
});

test('a shadow policy that fails at evaluation never fails a request: the event records the error', async () => {
  // Two values for one complete rule: an eval_conflict_error at evaluation time (it compiles fine).
  const draft = await insertDraft(stack.pool, {
    orgId: org.id, workspaceId: ws.id, baseVersion: 0, data: {}, wasm: null, note: null, author: { userId: null, label: 'test' }, validation: VALID,
    modules: [{ path: 'conflict.rego', source: 'package gateway.custom.main\n\nimport rego.v1\n\nv := 1 if input.request.model\nv := 2 if input.request.model\n\ndeny contains "never" if v == 3\n' }],
  });
  await admin('post', `/policy/drafts/${draft.id}/shadow`).expect(200);
  const before = await shadowCounts();
  const ids = await traffic();
  const events = await eventsFor(ids);
  for (const e of events) {
    expect(e).toMatchObject({ type: 'request.completed', outcome: 'success', decision: { allow: true } });
    expect(e.shadow).toMatchObject({ version: `draft:${draft.id}`, allow: false, changed: true, deny: ['policy_error'] });
    expect(e.shadow.error).toMatch(/conflict/);
  }
  const after = await shadowCounts();
  expect((after.error ?? 0) - (before.error ?? 0)).toBe(3);
});

test('a request the live policy denies is still denied, whatever the shadow says; stopping the shadow stops the verdicts', async () => {
  const permissive = await admin('post', '/policy/drafts', { data: {} }).expect(201);
  await admin('post', `/policy/drafts/${permissive.body.id}/shadow`).expect(200);
  // Live: the workspace's published data now denies demo-echo; the shadow draft allows everything.
  await insertPolicyData(stack.pool, org.id, ws.id, { models: { deny: ['demo-echo'] } }, 'test');
  await stack.gateway.services.governance.policies.publishChange(org.id, ws.id);

  const denied = await request(stack.gateway.url).post('/v1/chat/completions').set('authorization', `Bearer ${client.apiKey}`)
    .send({ model: 'demo-echo', messages: [{ role: 'user', content: 'x' }] }).expect(403);
  expect(denied.body.error.code).toBe('model_denied');
  const [event] = await eventsFor([denied.headers['x-request-id']]);
  expect(event).toMatchObject({ type: 'request.decided', decision: { allow: false } });
  expect(event.shadow).toEqual({ version: `draft:${permissive.body.id}`, draftId: permissive.body.id, allow: true, deny: [], changed: true });

  await admin('delete', '/policy/shadow').expect(204);
  const ok = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'y' }] });
  const [plain] = await eventsFor([ok._request_id!]);
  expect(plain.decision.allow).toBe(true);
  expect(plain.shadow).toBeUndefined();
});
