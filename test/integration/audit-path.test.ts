process.env.GATEHOUSE_ADMIN_COOKIE_SECURE = 'false';
import OpenAI from 'openai';
import { startTestStack, type TestStack } from '../helpers/stack';
import { createApiKey } from '../../src/identity';
import { insertPolicyData, upsertOrganisation, upsertWorkspace } from '../../src/db';
import { verifyAuditLog } from '../../src/audit';
import request from 'supertest';
import { adminTokenFor, bearer, createUser } from './admin/fixtures';

let stack: TestStack;
beforeAll(async () => { stack = await startTestStack(); });
afterAll(() => stack.close());

async function waitForEvents(orgId: string, n: number): Promise<Array<Record<string, any>>> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await stack.pool.query(`SELECT body FROM audit_events WHERE org_id = $1 ORDER BY seq`, [orgId]);
    if (rows.length >= n) return rows.map((r) => JSON.parse(r.body));
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} audit events arrived`);
}

describe('every request is audited', () => {
  test('served, denied and failed requests each leave one chained event with decision and outcome, no prompt text', async () => {
    const org = await upsertOrganisation(stack.pool, 'auditco', 'Audit Co');
    const ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
    await insertPolicyData(stack.pool, org.id, ws.id, { models: { deny: ['demo-echo'] }, pii: { input: { EMAIL_ADDRESS: 'redact' } } }, 'test');
    const { key } = await createApiKey(stack.pool, { workspace: ws, name: 'audited' });
    const client = new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });

    const ok = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'write to secret.person@example.com' }] });
    await client.chat.completions.create({ model: 'demo-echo', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 1 as unknown as string }] }).catch(() => undefined);

    const events = await waitForEvents(org.id, 3);
    expect(events.map((e) => e.type)).toEqual(['request.completed', 'request.decided', 'request.failed']);
    const [served, denied, failed] = events;
    expect(served.request).toMatchObject({ requestId: ok._request_id, model: 'demo-chat', endpoint: 'mock-us', status: 200 });
    expect(served.request.costUsd).toBeGreaterThan(0);
    expect(served.decision).toMatchObject({ allow: true });
    expect(served.decision.policyVersion).toMatch(/^default@[0-9a-f]{8}\/org:v0\/ws:v1$/);
    expect(served.pii).toEqual({ EMAIL_ADDRESS: 1 });
    expect(denied).toMatchObject({ outcome: 'denied', decision: { allow: false, rules: ['models.deny'] }, request: { status: 403 } });
    expect(failed).toMatchObject({ outcome: 'failure', request: { status: 400, errorCode: 'invalid_request' } });
    expect(JSON.stringify(events)).not.toContain('secret.person@example.com');

    const report = await verifyAuditLog(stack.pool, { org: org.id });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
  });
});

describe('audit search, verify and export through the admin API', () => {
  test('organisation-level rights only; exports run as background jobs and are themselves audited', async () => {
    const org = await upsertOrganisation(stack.pool, 'searchco', 'Search Co');
    const ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
    const { key } = await createApiKey(stack.pool, { workspace: ws, name: 'k' });
    const client = new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: `q${i}` }] });
    await waitForEvents(org.id, 3);

    const owner = await createUser(stack.pool, org.id, 'owner@search.test', [{ role: 'owner', workspaceId: null }]);
    const dev = await createUser(stack.pool, org.id, 'dev@search.test', [{ role: 'developer', workspaceId: ws.id }]);
    const ownerToken = (await adminTokenFor(stack.pool, org.id, owner.id)).token;
    const devToken = (await adminTokenFor(stack.pool, org.id, dev.id)).token;
    const url = stack.gateway.url;

    const page = await request(url).get('/admin/v1/orgs/searchco/audit/events?type=request.completed&limit=2').set(bearer(ownerToken)).expect(200);
    expect(page.body.data).toHaveLength(2);
    expect(page.body.next_cursor).toBeTruthy();
    await request(url).get('/admin/v1/orgs/searchco/audit/verify').set(bearer(ownerToken)).expect(200);
    await request(url).get('/admin/v1/orgs/searchco/audit/events').set(bearer(devToken)).expect(403);
    await request(url).get('/admin/v1/orgs/auditco/audit/events').set(bearer(ownerToken)).expect(404);
    await request(url).get('/admin/v1/orgs/searchco/audit/events').expect(401);

    const started = await request(url).post('/admin/v1/orgs/searchco/audit/exports').set(bearer(ownerToken)).send({ format: 'jsonl' }).expect(202);
    let status = started.body.status;
    for (let i = 0; i < 200 && status !== 'done' && status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await request(url).get(`/admin/v1/orgs/searchco/audit/exports/${started.body.id}`).set(bearer(ownerToken)).expect(200)).body.status;
    }
    expect(status).toBe('done');
    const file = await request(url).get(`/admin/v1/orgs/searchco/audit/exports/${started.body.id}/file`).set(bearer(ownerToken)).expect(200);
    expect(String(file.text ?? file.body).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);
    const events = await waitForEvents(org.id, 4);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['export.requested']));
  });
});
