import OpenAI from 'openai';
import { startTestStack, type TestStack } from '../helpers/stack';
import { createApiKey } from '../../src/identity';
import { insertPolicyData, upsertOrganisation, upsertWorkspace } from '../../src/db';
import { verifyAuditLog } from '../../src/audit';

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
