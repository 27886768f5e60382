/**
 * The policy lifecycle through the admin API on the full gateway: draft → submitted → approved (by
 * someone else) → published, with the change reaching every gateway instance; four eyes, roles,
 * tenant isolation, stale drafts, rollback, validation errors (schema, Rego, tests, organisation
 * constraints), OPA bundle import (Rego and wasm), custom deny rules and shadow drafts.
 */
import OpenAI from 'openai';
import request from 'supertest';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { createApiKey } from '../../../src/identity';
import { insertPolicyData } from '../../../src/db';
import type { Gateway } from '../../../src/server';
import { adminTokenFor, bearer, createTenant, createUser, type Tenant } from './fixtures';
import { tarGz, wasmBundle } from '../../unit/policy-lifecycle/fixtures';

let stack: TestStack;
let acme: Tenant;
const tokens: Record<string, string> = {};
let api: (t: string) => { get: (p: string) => request.Test; post: (p: string) => request.Test; delete: (p: string) => request.Test };

const WS = '/admin/v1/orgs/acme/workspaces/payments/policy';
const ORG = '/admin/v1/orgs/acme/policy';

beforeAll(async () => {
  stack = await startTestStack();
  acme = await createTenant(stack.pool, 'acme', ['payments', 'other', 'wasm-ws', 'custom-ws']);
  const ws = acme.workspaces;
  const people: Array<[string, 'owner' | 'admin' | 'policy_author' | 'policy_approver' | 'auditor', string | null]> = [
    ['owner', 'owner', null], ['owner2', 'owner', null], ['author', 'policy_author', ws.payments.id], ['approver', 'policy_approver', ws.payments.id],
    ['admin', 'admin', ws.payments.id], ['auditor', 'auditor', ws.payments.id], ['otherAdmin', 'admin', ws.other.id],
  ];
  for (const [name, role, wsId] of people) {
    const user = await createUser(stack.pool, acme.org.id, `${name}@acme.test`, [{ role, workspaceId: wsId }]);
    tokens[name] = (await adminTokenFor(stack.pool, acme.org.id, user.id)).token;
  }
  api = (t: string) => ({
    get: (p: string) => request(stack.gateway.url).get(p).set(bearer(tokens[t])),
    post: (p: string) => request(stack.gateway.url).post(p).set(bearer(tokens[t])),
    delete: (p: string) => request(stack.gateway.url).delete(p).set(bearer(tokens[t])),
  });
}, 60_000);
afterAll(async () => { await stack?.close(); });

async function clientFor(wsSlug: string, gateway: Gateway = stack.gateway): Promise<OpenAI> {
  const { key } = await createApiKey(stack.pool, { workspace: acme.workspaces[wsSlug], name: 'test' });
  return new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
}

const statusOf = (client: OpenAI, model: string, content: string): Promise<number | string> =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).then(() => 200, (e: { status?: number; code?: string }) => `${e.status}:${e.code}`);

/** Polls (never a timing assertion) until `fn` returns the expected value. */
async function eventually<T>(fn: () => Promise<T>, expected: T, tries = 100): Promise<T> {
  let last: T = await fn();
  for (let i = 0; i < tries && JSON.stringify(last) !== JSON.stringify(expected); i += 1) {
    await new Promise((r) => setTimeout(r, 50));
    last = await fn();
  }
  return last;
}

async function auditTypes(wsId: string | null, since: number): Promise<string[]> {
  const { rows } = await stack.pool.query<{ type: string; outcome: string | null; seq: string }>(
    `SELECT type, outcome, seq FROM audit_events WHERE org_id = $1 AND workspace_id IS NOT DISTINCT FROM $2 AND type LIKE 'policy.%' AND occurred_at >= to_timestamp($3 / 1000.0) ORDER BY seq`,
    [acme.org.id, wsId, since]);
  return rows.map((r) => `${r.type}:${r.outcome ?? ''}`);
}

/** Draft → submitted → approved → published; returns the published version number. */
async function publish(base: string, body: object, author = 'author', reviewer = 'approver'): Promise<number> {
  const draft = await api(author).post(`${base}/drafts`).send(body).expect(201);
  await api(author).post(`${base}/drafts/${draft.body.id}/submit`).expect(200);
  await api(reviewer).post(`${base}/drafts/${draft.body.id}/approve`).send({}).expect(200);
  const published = await api(reviewer).post(`${base}/drafts/${draft.body.id}/publish`).expect(200);
  return published.body.version.version;
}

test('happy path: author drafts, approver approves and publishes, every gateway instance enforces it', async () => {
  const since = Date.now() - 1000;
  const second = await stack.startAnotherGateway();
  const onFirst = await clientFor('payments');
  const onSecond = await clientFor('payments', second);
  const mail = 'Write to jane.doe@example.com please';
  // Both instances hold the workspace's compiled policy before the change.
  expect(await statusOf(onFirst, 'demo-chat', mail)).toBe(200);
  expect(await statusOf(onSecond, 'demo-chat', mail)).toBe(200);

  const created = await api('author').post(`${WS}/drafts`).send({ data: { pii: { input: { EMAIL_ADDRESS: 'block' } } }, note: 'no e-mail to providers' }).expect(201);
  expect(created.body).toMatchObject({ status: 'draft', base_version: 0, kind: 'rego', note: 'no e-mail to providers', author: { label: 'author@acme.test' }, validation: { ok: true } });
  const detail = await api('approver').get(`${WS}/drafts/${created.body.id}`).expect(200);
  expect(detail.body.diff.data).toEqual([{ path: 'pii', op: 'add', after: { input: { EMAIL_ADDRESS: 'block' } } }]);
  const submitted = await api('author').post(`${WS}/drafts/${created.body.id}/submit`).expect(200);
  expect(submitted.body.status).toBe('submitted');
  // Submitted is not approved: nothing to publish yet.
  expect((await api('approver').post(`${WS}/drafts/${created.body.id}/publish`).expect(409)).body.error.code).toBe('not_approved');
  const approved = await api('approver').post(`${WS}/drafts/${created.body.id}/approve`).send({ comment: 'fine' }).expect(200);
  expect(approved.body).toMatchObject({ status: 'approved', reviewed_by: { label: 'approver@acme.test' }, review_comment: 'fine' });
  // Still in force: the old policy.
  expect(await statusOf(onSecond, 'demo-chat', mail)).toBe(200);

  const published = await api('approver').post(`${WS}/drafts/${created.body.id}/publish`).expect(200);
  expect(published.body.version).toMatchObject({ version: 1, kind: 'rego', draft_id: created.body.id, published_by: 'approver@acme.test', data: { pii: { input: { EMAIL_ADDRESS: 'block' } } } });
  // Published through the API of the first instance; the second one switches (Redis broadcast).
  expect(await eventually(() => statusOf(onSecond, 'demo-chat', mail), '403:pii_blocked')).toBe('403:pii_blocked');
  expect(await statusOf(onFirst, 'demo-chat', mail)).toBe('403:pii_blocked');
  const compiled = await second.services.governance.policies.get(acme.org.id, acme.workspaces.payments.id);
  expect(compiled.version).toMatch(/^default@[0-9a-f]{8}\/org:v0\/ws:v1$/);

  const overview = await api('approver').get(WS).expect(200);
  expect(overview.body).toMatchObject({ published: { version: 1 }, shadow: null, open_drafts: [] });
  const history = await api('author').get(`${WS}/versions`).expect(200);
  expect(history.body.versions).toEqual([expect.objectContaining({ version: 1, kind: 'rego', draft_id: created.body.id, rollback_of: null })]);
  expect((await api('author').get(`${WS}/drafts/${created.body.id}`).expect(200)).body).toMatchObject({ status: 'published', published_version: 1 });
  expect(await eventually(() => auditTypes(acme.workspaces.payments.id, since), [
    'policy.draft_created:success', 'policy.draft_submitted:success', 'policy.draft_approved:success', 'policy.published:success',
  ])).toEqual(['policy.draft_created:success', 'policy.draft_submitted:success', 'policy.draft_approved:success', 'policy.published:success']);
});

test('four eyes: the author cannot approve their own draft (403 four_eyes, audited as denied)', async () => {
  const since = Date.now() - 1000;
  const draft = await api('admin').post(`${WS}/drafts`).send({ data: { limits: { max_tokens: 2000 } } }).expect(201);
  await api('admin').post(`${WS}/drafts/${draft.body.id}/submit`).expect(200);
  const refused = await api('admin').post(`${WS}/drafts/${draft.body.id}/approve`).send({}).expect(403);
  expect(refused.body.error.code).toBe('four_eyes');
  expect((await api('admin').get(`${WS}/drafts/${draft.body.id}`)).body.status).toBe('submitted');
  expect(await eventually(async () => (await auditTypes(acme.workspaces.payments.id, since)).includes('policy.draft_approved:denied'), true)).toBe(true);
  // Another approver may; the author may withdraw instead.
  await api('admin').post(`${WS}/drafts/${draft.body.id}/withdraw`).expect(200);
  expect((await api('approver').post(`${WS}/drafts/${draft.body.id}/approve`).send({})).body.error.code).toBe('invalid_status');
});

test('roles and tenants: auditors cannot write, approvers cannot author, other workspaces do not see', async () => {
  const body = { data: {} };
  expect((await api('auditor').post(`${WS}/drafts`).send(body)).status).toBe(403);
  expect((await api('auditor').get(WS)).status).toBe(403);
  expect((await api('approver').post(`${WS}/drafts`).send(body)).status).toBe(403);
  // A policy author cannot approve or publish.
  const draft = await api('author').post(`${WS}/drafts`).send({ data: { limits: { max_tokens: 3000 } } }).expect(201);
  await api('author').post(`${WS}/drafts/${draft.body.id}/submit`).expect(200);
  expect((await api('author').post(`${WS}/drafts/${draft.body.id}/approve`).send({})).status).toBe(403);
  // Another workspace's admin: not even confirmed to exist.
  expect((await api('otherAdmin').get(WS)).status).toBe(404);
  expect((await api('otherAdmin').get(`${WS}/drafts/${draft.body.id}`)).status).toBe(404);
  expect((await api('otherAdmin').post(`${WS}/drafts`).send(body)).status).toBe(404);
  // A draft id of another scope is "not found" in this one.
  expect((await api('otherAdmin').get(`/admin/v1/orgs/acme/workspaces/other/policy/drafts/${draft.body.id}`)).status).toBe(404);
  // Workspace roles have no rights on the organisation's defaults.
  expect((await api('admin').get(ORG)).status).toBe(403);
  await api('author').post(`${WS}/drafts/${draft.body.id}/withdraw`).expect(200);
});

test('a draft based on an older version is stale (409); rollback publishes an old version as a new one', async () => {
  const inForce = (await api('author').get(WS).expect(200)).body.published.version as number;
  const a = await api('author').post(`${WS}/drafts`).send({ data: { pii: { input: { EMAIL_ADDRESS: 'block' } }, limits: { max_tokens: 1000 } } }).expect(201);
  const b = await api('author').post(`${WS}/drafts`).send({ data: { pii: { input: { EMAIL_ADDRESS: 'block' } }, limits: { max_tokens: 500 } } }).expect(201);
  expect([a.body.base_version, b.body.base_version]).toEqual([inForce, inForce]);
  for (const d of [a, b]) {
    await api('author').post(`${WS}/drafts/${d.body.id}/submit`).expect(200);
    await api('approver').post(`${WS}/drafts/${d.body.id}/approve`).send({}).expect(200);
  }
  await api('approver').post(`${WS}/drafts/${a.body.id}/publish`).expect(200);
  const stale = await api('approver').post(`${WS}/drafts/${b.body.id}/publish`).expect(409);
  expect(stale.body.error.code).toBe('stale_draft');

  const client = await clientFor('payments');
  const mail = 'mail jane.doe@example.com';
  expect(await statusOf(client, 'demo-chat', mail)).toBe('403:pii_blocked');
  // Publish a permissive version, then roll back to the strict one.
  await api('approver').post(`${WS}/versions/999/rollback`).send({}).expect(404);
  const permissive = await publish(WS, { data: {} });
  expect(await eventually(() => statusOf(client, 'demo-chat', mail), 200)).toBe(200);
  const rolled = await api('approver').post(`${WS}/versions/${inForce + 1}/rollback`).send({ note: 'back to the strict one' }).expect(200);
  expect(rolled.body.version).toMatchObject({ version: permissive + 1, rollback_of: inForce + 1, note: 'back to the strict one', data: a.body.data });
  expect(await eventually(() => statusOf(client, 'demo-chat', mail), '403:pii_blocked')).toBe('403:pii_blocked');
  const one = await api('author').get(`${WS}/versions/${permissive + 1}`).expect(200);
  expect(one.body).toMatchObject({ version: permissive + 1, rollback_of: inForce + 1, draft_id: null });
});

test('invalid drafts are refused with 422 and nothing is stored: schema, Rego parse error, failing test', async () => {
  const before = (await api('author').get(`${WS}/drafts`).expect(200)).body.drafts.length;
  const schema = await api('author').post(`${WS}/drafts`).send({ data: { pii: { input: { EMAIL_ADDRESS: 'shred' } } } }).expect(422);
  expect(schema.body.error.code).toBe('policy_invalid');
  expect(schema.body.error.validation.errors).toEqual([expect.objectContaining({ kind: 'schema', path: 'pii.input.EMAIL_ADDRESS' })]);

  const parse = await api('author').post(`${WS}/drafts`).send({ data: {}, modules: [{ path: 'deny.rego', source: 'package gateway.custom.payments\n\nimport rego.v1\n\ndeny contains "x" if {\n' }] }).expect(422);
  expect(parse.body.error.validation.errors[0]).toMatchObject({ kind: 'parse', file: 'deny.rego', line: expect.any(Number), col: expect.any(Number) });

  const rule = 'package gateway.custom.payments\n\nimport rego.v1\n\ndeny contains "no echo" if input.request.model == "demo-echo"\n';
  const failing = 'package gateway.custom.payments_test\n\nimport rego.v1\n\nimport data.gateway.custom.payments\n\ntest_chat_is_denied if {\n\t"no echo" in payments.deny with input as {"request": {"model": "demo-chat"}}\n}\n';
  const test = await api('author').post(`${WS}/drafts`).send({ data: {}, modules: [{ path: 'deny.rego', source: rule }, { path: 'deny_test.rego', source: failing }] }).expect(422);
  expect(test.body.error.validation.errors).toEqual([expect.objectContaining({ kind: 'test', file: 'deny_test.rego', message: expect.stringContaining('test_chat_is_denied') })]);
  expect(test.body.error.validation.tests.failed).toBe(1);

  // The same checks without storing anything, for inline validation in the console.
  const inline = await api('author').post(`${WS}/validate`).send({ data: {}, modules: [{ path: 'deny.rego', source: rule }] }).expect(200);
  expect(inline.body).toMatchObject({ ok: true, errors: [] });
  expect((await api('author').get(`${WS}/drafts`).expect(200)).body.drafts.length).toBe(before);
});

test('organisation defaults: owners publish them with four eyes; a workspace draft loosening them is refused', async () => {
  const version = await publish(ORG, { data: { providers: { require_zdr: true }, pii: { input: { CREDIT_CARD: 'redact' } } } }, 'owner', 'owner2');
  expect(version).toBe(1);
  const loosen = await api('author').post(`${WS}/drafts`).send({ data: { providers: { require_zdr: false }, pii: { input: { CREDIT_CARD: 'allow' } } } }).expect(422);
  expect(loosen.body.error.validation.errors.map((e: { kind: string; path: string }) => `${e.kind} ${e.path}`)).toEqual([
    'constraint providers.require_zdr', 'constraint pii.input.CREDIT_CARD',
  ]);
  // Tightening is fine.
  await api('author').post(`${WS}/drafts`).send({ data: { pii: { input: { CREDIT_CARD: 'block' } } } }).expect(201);
  // Back to no organisation constraints for the other tests.
  await publish(ORG, { data: {} }, 'owner2', 'owner');
});

test('a custom Rego deny rule joins the decision after publish', async () => {
  const base = '/admin/v1/orgs/acme/workspaces/custom-ws/policy';
  const client = await clientFor('custom-ws');
  expect(await statusOf(client, 'demo-echo', 'hi')).toBe(200);
  const rule = 'package gateway.custom.custom_ws\n\nimport rego.v1\n\ndeny contains {"code": "echo_off", "message": "demo-echo is switched off"} if input.request.model == "demo-echo"\n';
  const tests = 'package gateway.custom.custom_ws_test\n\nimport rego.v1\n\nimport data.gateway.custom.custom_ws\n\ntest_echo_denied if {\n\tcount(custom_ws.deny) == 1 with input as {"request": {"model": "demo-echo"}}\n}\n';
  await publish(base, { data: {}, modules: [{ path: 'echo.rego', source: rule }, { path: 'echo_test.rego', source: tests }] }, 'owner', 'owner2');
  expect(await eventually(() => statusOf(client, 'demo-echo', 'hi'), '403:echo_off')).toBe('403:echo_off');
  expect(await statusOf(client, 'demo-chat', 'hi')).toBe(200);
  const version = (await api('owner').get(`${base}/versions/1`).expect(200)).body;
  expect(version.modules.map((m: { path: string }) => m.path)).toEqual(['echo.rego', 'echo_test.rego']);
  // A data-only change written directly (gatehouse policy set-data) keeps the reviewed rules.
  await insertPolicyData(stack.pool, acme.org.id, acme.workspaces['custom-ws'].id, { limits: { max_tokens: 5000 } }, 'cli');
  const v2 = (await api('owner').get(`${base}/versions/2`).expect(200)).body;
  expect(v2).toMatchObject({ data: { limits: { max_tokens: 5000 } }, draft_id: null, modules: version.modules });
});

test('OPA bundle import: Rego + data.json, and policy.wasm + data.json (published, it decides for the workspace)', async () => {
  const rego = await tarGz({
    '/data.json': JSON.stringify({ limits: { max_tokens: 700 } }),
    '/policies/deny.rego': 'package gateway.custom.payments\n\nimport rego.v1\n\ndeny contains "never" if input.request.model == "forbidden"\n',
  });
  const imported = await api('author').post(`${WS}/import`).set('content-type', 'application/gzip').send(rego).expect(201);
  expect(imported.body).toMatchObject({ status: 'draft', kind: 'rego', data: { limits: { max_tokens: 700 } }, modules: [{ path: 'policies/deny.rego' }] });
  const badRego = await tarGz({ '/x.rego': 'package evil\n' });
  expect((await api('author').post(`${WS}/import`).set('content-type', 'application/gzip').send(badRego).expect(422)).body.error.validation.errors[0])
    .toMatchObject({ kind: 'constraint', code: 'package_not_allowed', file: 'x.rego' });
  expect((await api('author').post(`${WS}/import`).set('content-type', 'application/gzip').send(Buffer.from('junk')).expect(422)).body.error.validation.errors[0])
    .toMatchObject({ kind: 'bundle', code: 'bundle_corrupt' });

  const base = '/admin/v1/orgs/acme/workspaces/wasm-ws/policy';
  const client = await clientFor('wasm-ws');
  expect(await statusOf(client, 'demo-chat', 'hi')).toBe(200);
  const wasm = await api('owner').post(`${base}/import?note=opa%20build`).set('content-type', 'application/gzip').send(await wasmBundle({}, ['demo-chat'])).expect(201);
  expect(wasm.body).toMatchObject({ kind: 'wasm', note: 'opa build', validation: { ok: true } });
  await api('owner').post(`${base}/drafts/${wasm.body.id}/submit`).expect(200);
  await api('owner2').post(`${base}/drafts/${wasm.body.id}/approve`).send({}).expect(200);
  await api('owner2').post(`${base}/drafts/${wasm.body.id}/publish`).expect(200);
  // The fixture policy names no allowed endpoints, so the gateway now refuses every request of this workspace.
  expect(await eventually(() => statusOf(client, 'demo-chat', 'hi'), '403:no_allowed_endpoint')).toBe('403:no_allowed_endpoint');
  const compiled = await stack.gateway.services.governance.policies.get(acme.org.id, acme.workspaces['wasm-ws'].id);
  expect(compiled.version).toMatch(/^wasm@[0-9a-f]{8}\/org:v\d+\/ws:v1$/);
  expect(compiled.policy.backend).toBe('wasm');
});

test('shadow: a draft runs next to the live policy until stopped', async () => {
  const draft = await api('author').post(`${WS}/drafts`).send({ data: { pii: { input: { EMAIL_ADDRESS: 'block', PHONE_NUMBER: 'block' } } } }).expect(201);
  expect((await api('author').post(`${WS}/drafts/${draft.body.id}/shadow`)).status).toBe(403);
  const started = await api('approver').post(`${WS}/drafts/${draft.body.id}/shadow`).expect(200);
  expect(started.body.shadow).toMatchObject({ draft_id: draft.body.id, started_by: 'approver@acme.test' });
  expect((await api('author').get(WS).expect(200)).body.shadow).toMatchObject({ draft_id: draft.body.id });
  const policies = stack.gateway.services.governance.policies;
  const shadowVersion = async () => (await policies.get(acme.org.id, acme.workspaces.payments.id)).shadow?.version ?? null;
  expect(await eventually(shadowVersion, `draft:${draft.body.id}`)).toBe(`draft:${draft.body.id}`);
  await api('approver').delete(`${WS}/shadow`).expect(204);
  await api('approver').delete(`${WS}/shadow`).expect(404);
  expect(await eventually(shadowVersion, null)).toBeNull();
  // Organisation defaults have no shadow routes.
  expect((await api('owner').post(`${ORG}/drafts/1/shadow`)).status).toBe(404);
});
