/**
 * Policy simulation through the admin API on the full gateway: real traffic (openai SDK) is audited,
 * then replayed against a draft next to the published policy; a sample request is built like the
 * gateway's input; bad input is a 400 naming the parameter; each simulation is audited; a workspace
 * replay never sees another workspace's or organisation's requests.
 */
process.env.GATEHOUSE_ADMIN_COOKIE_SECURE = 'false';
import OpenAI from 'openai';
import request from 'supertest';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { findOrganisation, insertPolicyData, upsertOrganisation, upsertWorkspace, type Organisation, type Workspace } from '../../../src/db';
import { createApiKey } from '../../../src/identity';
import { insertDraft } from '../../../src/policy/lifecycle';
import { adminTokenFor, bearer, createUser } from './fixtures';

let stack: TestStack;
let org: Organisation;
let ws: Workspace;
let other: Workspace;
let owner: string;
let author: string;
const VALID = { ok: true, errors: [], warnings: [], tests: { passed: 0, failed: 0, results: [] } };

async function waitForEvents(orgId: string, where: string, n: number): Promise<Array<Record<string, any>>> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await stack.pool.query(`SELECT body FROM audit_events WHERE org_id = $1 AND ${where} ORDER BY seq`, [orgId]);
    if (rows.length >= n) return rows.map((r) => JSON.parse(r.body));
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} audit events arrived`);
}

const simulate = (path: string, token: string, body: unknown) =>
  request(stack.gateway.url).post(`/admin/v1/orgs/${path}/policy/simulate`).set(bearer(token)).send(body as object);

beforeAll(async () => {
  stack = await startTestStack();
  org = await upsertOrganisation(stack.pool, 'simco', 'Sim Co');
  ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
  other = await upsertWorkspace(stack.pool, org, 'other', 'Other');
  await insertPolicyData(stack.pool, org.id, ws.id, { pii: { input: { EMAIL_ADDRESS: 'tokenize' } } }, 'test');
  owner = (await adminTokenFor(stack.pool, org.id, (await createUser(stack.pool, org.id, 'owner@sim.test', [{ role: 'owner', workspaceId: null }])).id)).token;
  author = (await adminTokenFor(stack.pool, org.id, (await createUser(stack.pool, org.id, 'author@sim.test', [{ role: 'policy_author', workspaceId: ws.id }])).id)).token;

  // Real traffic: two chat requests (one with an e-mail address), one embeddings request in `main`,
  // one request in `other`, one in the demo organisation.
  const client = new OpenAI({ apiKey: (await createApiKey(stack.pool, { workspace: ws, name: 'app' })).key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
  await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'write to jane@example.com' }] });
  await client.chat.completions.create({ model: 'demo-echo', messages: [{ role: 'user', content: 'hello' }] });
  await client.embeddings.create({ model: 'demo-embed', input: 'some text' });
  const otherClient = new OpenAI({ apiKey: (await createApiKey(stack.pool, { workspace: other, name: 'o' })).key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
  await otherClient.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] });
  await new OpenAI({ apiKey: stack.apiKey, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 })
    .chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'demo' }] });
  await waitForEvents(org.id, "type LIKE 'request.%'", 4);
  await waitForEvents((await findOrganisation(stack.pool, 'demo')).id, "type LIKE 'request.%'", 1);
}, 60_000);
afterAll(async () => { await stack?.close(); });

test('a stored draft replayed on the workspace\'s last requests lists the decisions that would change', async () => {
  const draft = await insertDraft(stack.pool, {
    orgId: org.id, workspaceId: ws.id, baseVersion: 1, data: { models: { deny: ['demo-chat'] }, pii: { input: { EMAIL_ADDRESS: 'redact' } } },
    modules: [], wasm: null, note: null, author: { userId: null, label: 'test' }, validation: VALID,
  });
  const res = await simulate('simco/workspaces/main', author, { draft_id: draft.id, replay: { last: 50 } }).expect(200);
  expect(res.body).toMatchObject({ published_version: 1, draft: { id: draft.id, label: `draft:${draft.id}` }, total: 3, changed: 1 });
  expect(res.body.published_policy).toMatch(/^default@[0-9a-f]{8}\/org:v0\/ws:v1$/);
  // Newest first; only this workspace's requests.
  expect(res.body.results.map((r: any) => [r.source, r.request.model, r.request.route, r.changed])).toEqual([
    ['audit', 'demo-embed', 'embeddings', false],
    ['audit', 'demo-echo', 'chat.completions', false],
    ['audit', 'demo-chat', 'chat.completions', true],
  ]);
  const chat = res.body.results[2];
  expect(chat.event_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(chat.recorded).toEqual({ allow: true, policy_version: res.body.published_policy });
  expect(chat.published).toMatchObject({ allow: true, deny: [], pii_actions: { EMAIL_ADDRESS: 'tokenize' } });
  expect(chat.published.allowed_endpoints.length).toBeGreaterThan(0);
  expect(chat.draft).toMatchObject({ allow: false, deny: [{ code: 'model_denied' }], pii_actions: { EMAIL_ADDRESS: 'redact' } });
  expect(chat.changes).toEqual(['allow', 'deny', 'pii_actions']);
  // The e-mail finding recorded in the event is what the draft was evaluated with; `demo-echo` had none.
  expect(res.body.results[1].draft.pii_actions).toMatchObject({ EMAIL_ADDRESS: 'redact' });
  expect(res.body.notes.join('\n')).toMatch(/prompt text is never stored/);

  const [audited] = await waitForEvents(org.id, "type = 'policy.simulated'", 1);
  expect(audited).toMatchObject({
    workspace: ws.id, actor: { type: 'api_key' }, outcome: 'success',
    details: { draft_id: draft.id, sample: false, replayed: 3, total: 3, changed: 1, published_version: 1 },
  });
});

test('a sample request with an inline draft: built like the gateway input, the synthetic key named in the result', async () => {
  const res = await simulate('simco/workspaces/main', owner, {
    draft: { data: { providers: { require_zdr: true }, metadata: { required: [{ header: 'x-gatehouse-purpose', models: ['demo-chat'] }] } } },
    request: { model: 'demo-chat', messages: [{ role: 'user', content: 'mail jane@example.com' }], headers: { 'X-Gatehouse-Purpose': 'support' } },
  }).expect(200);
  expect(res.body).toMatchObject({ total: 1, changed: 1, draft: { id: null } });
  const [r] = res.body.results;
  expect(r).toMatchObject({ source: 'sample', request: { model: 'demo-chat', route: 'chat.completions' } });
  // The header satisfies the draft's metadata rule; zero data retention leaves only mock-eu; the
  // draft has no PII rules, the published policy tokenizes the e-mail found in the sample.
  expect(r.draft).toMatchObject({ allow: true, allowed_endpoints: ['mock-eu'] });
  expect(r.draft.pii_actions.EMAIL_ADDRESS).toBeUndefined();
  expect(r.published.pii_actions).toMatchObject({ EMAIL_ADDRESS: 'tokenize', PRIVATE_KEY: 'redact' });
  expect(r.changes).toEqual(['pii_actions', 'allowed_endpoints']);
  expect(res.body.notes[0]).toMatch(/synthetic API key .* of workspace main/);

  const missing = await simulate('simco/workspaces/main', owner, { draft: { data: { metadata: { required: [{ header: 'x-gatehouse-purpose' }] } } }, request: { model: 'demo-embed', input: 'x' } }).expect(200);
  expect(missing.body.results[0]).toMatchObject({ request: { route: 'embeddings' }, changed: true, draft: { allow: false, deny: [{ code: 'metadata_required' }] } });
});

test('an organisation-level draft is replayed under each workspace\'s own data', async () => {
  const res = await simulate('simco', owner, { draft: { data: { models: { deny: ['demo-embed'] } } }, replay: { last: 10 } }).expect(200);
  expect(res.body.total).toBe(4);
  expect(res.body.results.filter((r: any) => r.changed).map((r: any) => r.request.model)).toEqual(['demo-embed']);
  // Only this organisation's requests: the demo organisation's are not there.
  expect(res.body.results.every((r: any) => r.source === 'audit')).toBe(true);
  const sample = await simulate('simco', owner, { draft: { data: {} }, workspace: 'other', request: { model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] } }).expect(200);
  expect(sample.body.notes[0]).toMatch(/of workspace other/);
});

test('bad input: 400 naming the parameter, 404 for a draft of another scope, 422 for an invalid draft', async () => {
  const path = 'simco/workspaces/main';
  const bad = await simulate(path, owner, { draft: { data: {} }, request: { model: 'demo-chat', messages: [{ role: 'user', content: 5 }] } }).expect(400);
  expect(bad.body.error.param).toBe('request.messages[0].content');
  expect((await simulate(path, owner, { draft: { data: {} }, request: { model: 'demo-chat' } }).expect(400)).body.error.param).toBe('request.messages');
  expect((await simulate(path, owner, { draft: { data: {} }, request: { model: 'nope', messages: [{ role: 'user', content: 'x' }] } }).expect(400)).body.error.param).toBe('request.model');
  expect((await simulate(path, owner, { draft: { data: {} } }).expect(400)).body.error.param).toBe('request');
  expect((await simulate(path, owner, { draft: { data: {} }, draft_id: 1, replay: { last: 1 } }).expect(400)).body.error.param).toBe('draft_id');
  expect((await simulate(path, owner, { draft: { data: {} }, replay: { last: 501 } }).expect(400)).body.error.param).toBe('replay.last');
  expect((await simulate(path, owner, { draft: { data: {} }, replay: { last: 1 }, workspace: 'other' }).expect(400)).body.error.param).toBe('workspace');

  const elsewhere = await insertDraft(stack.pool, {
    orgId: org.id, workspaceId: other.id, baseVersion: 0, data: {}, modules: [], wasm: null, note: null, author: { userId: null, label: 't' }, validation: VALID,
  });
  expect((await simulate(path, owner, { draft_id: elsewhere.id, replay: { last: 1 } }).expect(404)).body.error.code).toBe('draft_not_found');

  const invalid = await simulate(path, owner, { draft: { data: { pii: { input: { EMAIL_ADDRESS: 'shred' } } } }, replay: { last: 1 } }).expect(422);
  expect(invalid.body.error.code).toBe('policy_invalid');
  const broken = await simulate(path, owner, { draft: { data: {}, modules: [{ path: 'x.rego', source: 'package gateway.custom.main\n\ndeny contains x if {' }] }, replay: { last: 1 } }).expect(422);
  expect(broken.body.error.code).toBe('policy_invalid');
});
