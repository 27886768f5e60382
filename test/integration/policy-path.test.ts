import OpenAI from 'openai';
import path from 'node:path';
import { startTestStack, type TestStack } from '../helpers/stack';
import { mockEndpoint } from '../helpers/endpoints';
import { createApiKey } from '../../src/identity';
import { findOrganisation, insertPolicyData, upsertOrganisation, upsertWorkspace } from '../../src/db';
import { validatePolicyData, PolicyDataError, loadPolicyModules } from '../../src/policy';
import { runRegoTests } from '../../src/policy/rego/tester';
import { loadPaths } from '../../src/policy/rego/loader';

let stack: TestStack;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack({
    extraEndpoints: (mock) => [
      // flaky-eu: an EU ZDR endpoint that fails first, another EU ZDR one that works, and a US one that must never be used.
      mockEndpoint(mock, 'eu-broken', '/fail500/v1', [['flaky-eu', 'demo-echo']], { priority: 1, governance: { jurisdiction: 'DE', dataRegions: ['eu'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: [] } }),
      mockEndpoint(mock, 'eu-limited', '/fault/status=429,retry-after=1/v1', [['flaky-eu', 'demo-echo']], { priority: 2, governance: { jurisdiction: 'FR', dataRegions: ['eu'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: [] } }),
      mockEndpoint(mock, 'us-healthy', '/v1', [['flaky-eu', 'demo-echo']], { priority: 3, governance: { jurisdiction: 'US', dataRegions: ['us'], zeroDataRetention: false, trainsOnData: false, retentionDays: 30, certifications: [] } }),
      mockEndpoint(mock, 'eu-healthy', '/anthropic/v1', [['flaky-eu', 'demo-echo']], { provider: 'anthropic', priority: 4, governance: { jurisdiction: 'IE', dataRegions: ['eu'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: [] } }),
      mockEndpoint(mock, 'eu-hanging', '/timeout/v1', [['hang-eu', 'demo-echo']], { priority: 1, timeouts: { firstByteMs: 300 }, governance: { jurisdiction: 'DE', dataRegions: ['eu'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: [] } }),
      mockEndpoint(mock, 'eu-backup', '/v1', [['hang-eu', 'demo-echo']], { priority: 2, governance: { jurisdiction: 'DE', dataRegions: ['eu'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: [] } }),
    ],
  });
});
afterAll(() => stack.close());

/** A fresh organisation + workspace with its own policy data and key, so tests do not see each other. */
async function workspaceWith(wsData: object, orgData?: object): Promise<OpenAI> {
  counter += 1;
  const org = await upsertOrganisation(stack.pool, `org-${counter}`, `Org ${counter}`);
  const ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
  if (orgData) await insertPolicyData(stack.pool, org.id, null, validatePolicyData(orgData), 'test');
  await insertPolicyData(stack.pool, org.id, ws.id, validatePolicyData(wsData), 'test');
  const { key } = await createApiKey(stack.pool, { workspace: ws, name: 'test' });
  return new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
}

const lastUpstreamBody = (): string => JSON.stringify(stack.mock.requests().at(-1)!.body);

describe('PII in prompts', () => {
  test('tokenized email and redacted card never reach the provider; the user sees the original email back', async () => {
    const client = await workspaceWith({ pii: { input: { EMAIL_ADDRESS: 'tokenize', CREDIT_CARD: 'redact' } } });
    const { data, response } = await client.chat.completions.create({
      model: 'demo-echo',
      messages: [{ role: 'user', content: 'Mail jane.doe@example.com about card 4111 1111 1111 1111 please.' }],
    }).withResponse();
    const sent = lastUpstreamBody();
    expect(sent).not.toContain('jane.doe@example.com');
    expect(sent).not.toContain('4111 1111 1111 1111');
    expect(sent).toContain('<EMAIL_ADDRESS_1>');
    expect(sent).toContain('<CREDIT_CARD>');
    // demo-echo answers with what it received: the placeholder is restored for the user, the card stays redacted.
    expect(data.choices[0].message.content).toContain('jane.doe@example.com');
    expect(data.choices[0].message.content).toContain('<CREDIT_CARD>');
    expect(response.headers.get('x-gatehouse-decision-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('tokenized values are restored in a streamed answer even when the placeholder is split across chunks', async () => {
    const client = await workspaceWith({ pii: { input: { PHONE_NUMBER: 'tokenize' } } });
    const stream = await client.chat.completions.create({
      model: 'demo-echo', stream: true,
      messages: [{ role: 'user', content: 'Call me at +44 20 7946 0958 tomorrow' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(lastUpstreamBody()).not.toContain('7946');
    expect(text).toBe('Call me at +44 20 7946 0958 tomorrow');
  });

  test('PII in a streamed answer is redacted even when split across chunks', async () => {
    // Input allowed, output redacted: demo-echo streams the number back word by word.
    const client = await workspaceWith({ pii: { input: { '*': 'allow' }, output: { CREDIT_CARD: 'redact' } } });
    const stream = await client.chat.completions.create({
      model: 'demo-echo', stream: true,
      messages: [{ role: 'user', content: 'My card is 4111 1111 1111 1111 ok' }],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      chunks += 1;
    }
    expect(chunks).toBeGreaterThan(4);
    expect(text).toBe('My card is <CREDIT_CARD> ok');
  });

  test('a blocked entity type is refused with 403 and the rule, and nothing is sent', async () => {
    const client = await workspaceWith({ pii: { input: { US_SSN: 'block' } } });
    const before = stack.mock.requests().length;
    await expect(client.chat.completions.create({
      model: 'demo-chat', messages: [{ role: 'user', content: 'my social security number is 123-45-6789' }],
    })).rejects.toMatchObject({ status: 403, type: 'policy_violation', code: 'pii_blocked' });
    expect(stack.mock.requests().length).toBe(before);
  });

  test('secrets are redacted by the built-in organisation defaults', async () => {
    const client = await workspaceWith({});
    await client.chat.completions.create({
      model: 'demo-echo', messages: [{ role: 'user', content: 'key AKIAIOSFODNN7EXAMPLQ and ghp_' + 'x'.repeat(36) }],
    });
    expect(lastUpstreamBody()).not.toContain('AKIAIOSFODNN7EXAMPLQ');
  });
});

describe('provider rules', () => {
  test('a ZDR + EU workspace is routed only to mock-eu', async () => {
    const client = await workspaceWith({ providers: { require_zdr: true, allowed_regions: ['eu'] } });
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(response.headers.get('x-gatehouse-endpoint')).toBe('mock-eu');
    }
  });

  test('a blocked jurisdiction leaving no endpoint → 403 naming each endpoint and why', async () => {
    const client = await workspaceWith({ providers: { blocked_jurisdictions: ['CN', 'US'], require_zdr: true, allowed_regions: ['us', 'cn'] } });
    const err = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.code).toBe('no_allowed_endpoint');
    expect(err.message).toContain('mock-cn: jurisdiction CN blocked');
    expect(err.message).toContain('mock-us: jurisdiction US blocked');
    expect(err.message).toContain('mock-eu: data region eu not allowed');
    expect(err.error.rules[0]).toMatchObject({ code: 'no_allowed_endpoint', rule: 'providers' });
    expect(err.error.decision_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('failover from 500 and 429 goes to the next allowed endpoint, never to a disallowed one', async () => {
    const client = await workspaceWith({ providers: { require_zdr: true } });
    const { data, response } = await client.chat.completions.create({ model: 'flaky-eu', messages: [{ role: 'user', content: 'route me' }] }).withResponse();
    expect(data.choices[0].message.content).toBe('route me');
    expect(response.headers.get('x-gatehouse-endpoint')).toBe('eu-healthy');
    const paths = stack.mock.requests().slice(-3).map((r) => r.path);
    expect(paths).toEqual(['/fail500/v1/chat/completions', '/fault/status=429,retry-after=1/v1/chat/completions', '/anthropic/v1/messages']);
  });

  test('failover from a timeout goes to the next allowed endpoint', async () => {
    const client = await workspaceWith({ providers: { allowed_regions: ['eu'] } });
    const { response } = await client.chat.completions.create({ model: 'hang-eu', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    expect(response.headers.get('x-gatehouse-endpoint')).toBe('eu-backup');
  });

  test('models and max_tokens rules', async () => {
    const client = await workspaceWith({ models: { deny: ['demo-echo'] }, limits: { max_tokens: 50 } });
    await expect(client.chat.completions.create({ model: 'demo-echo', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 403, code: 'model_denied' });
    await expect(client.chat.completions.create({ model: 'demo-chat', max_tokens: 500, messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 403, code: 'max_tokens_exceeded' });
    await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] });
    expect((stack.mock.requests().at(-1)!.body as { max_tokens: number }).max_tokens).toBe(50);
  });

  test('required metadata header', async () => {
    const client = await workspaceWith({ metadata: { required: [{ header: 'x-gatehouse-purpose', models: ['demo-*'] }] } });
    await expect(client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 403, code: 'metadata_required' });
    const ok = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] },
      { headers: { 'x-gatehouse-purpose': 'support' } });
    expect(ok.choices[0].message.content).toBeTruthy();
  });
});

describe('organisation defaults and policy data', () => {
  test('a workspace cannot loosen an organisation default', async () => {
    const client = await workspaceWith(
      { providers: { require_zdr: false, allowed_regions: ['eu', 'us', 'cn'] }, pii: { input: { EMAIL_ADDRESS: 'allow' } } },
      { providers: { require_zdr: true }, pii: { input: { EMAIL_ADDRESS: 'redact' } } },
    );
    const { data, response } = await client.chat.completions.create({ model: 'demo-echo', messages: [{ role: 'user', content: 'to a@b.co' }] }).withResponse();
    expect(response.headers.get('x-gatehouse-endpoint')).toBe('mock-eu');
    expect(data.choices[0].message.content).toBe('to <EMAIL_ADDRESS>');
  });

  test('a published change reaches running gateways (pub/sub) at once', async () => {
    const client = await workspaceWith({});
    await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] });
    const org = await findOrganisation(stack.pool, `org-${counter}`);
    const { rows } = await stack.pool.query(`SELECT id FROM workspaces WHERE org_id = $1`, [org.id]);
    await insertPolicyData(stack.pool, org.id, rows[0].id, { models: { deny: ['demo-chat'] } }, 'test');
    await stack.gateway.services.governance.policies.publishChange(org.id, rows[0].id);
    await expect(client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 403, code: 'model_denied' });
  });

  test('malformed policy data is rejected with the schema error', () => {
    expect(() => validatePolicyData({ providers: { require_zdr: 'yes' } })).toThrow(PolicyDataError);
    try {
      validatePolicyData({ pii: { input: { EMAIL_ADDRESS: 'shred' } }, limits: { max_tokens: -1 }, bogus: 1 });
    } catch (err) {
      const paths = (err as PolicyDataError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['pii.input.EMAIL_ADDRESS', 'limits.max_tokens', '']));
    }
  });

  test('the policy tests in policies/ pass (gatehouse rego test policies)', () => {
    const dir = path.resolve(__dirname, '..', '..', 'policies');
    const { modules, data } = loadPaths([dir]);
    const report = runRegoTests(modules, data);
    expect(report.failed + report.errored).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(16);
    expect(loadPolicyModules(dir).every((m) => !m.path.endsWith('_test.rego'))).toBe(true);
  });
});
