import OpenAI from 'openai';
import { startTestStack, type TestStack } from '../helpers/stack';
import { createApiKey } from '../../src/identity';
import { insertPolicyData, upsertOrganisation, upsertWorkspace } from '../../src/db';
import { loadConfig } from '../../src/config';
import { validatePolicyData } from '../../src/policy';

// GATEHOUSE_POLICY_MODE=off (benchmarking only): no PII scan, no Rego decision; audit and routing still run.
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ config: { policyMode: 'off' } });
});
afterAll(() => stack.close());

test('the setting accepts enforce and off only', () => {
  expect(loadConfig({}).policyMode).toBe('enforce');
  expect(loadConfig({ GATEHOUSE_POLICY_MODE: 'off' }).policyMode).toBe('off');
  expect(() => loadConfig({ GATEHOUSE_POLICY_MODE: 'disabled' })).toThrow(/GATEHOUSE_POLICY_MODE/);
});

test('policy data is not enforced: a blocked PII type and a denied model go through, unredacted', async () => {
  const org = await upsertOrganisation(stack.pool, 'off-org', 'Off org');
  const ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
  await insertPolicyData(stack.pool, org.id, ws.id, validatePolicyData({
    pii: { input: { EMAIL_ADDRESS: 'block' } }, models: { deny: ['demo-echo'] },
  }), 'test');
  const { key } = await createApiKey(stack.pool, { workspace: ws, name: 'test' });
  const client = new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });

  const answer = await client.chat.completions.create({
    model: 'demo-echo', messages: [{ role: 'user', content: 'Write to jane.doe@example.com' }],
  });
  expect(answer.choices[0].message.content).toContain('jane.doe@example.com');
  expect(JSON.stringify(stack.mock.requests().at(-1)!.body)).toContain('jane.doe@example.com');

  // The request is still audited, naming the policy version "off".
  const deadline = Date.now() + 15_000;
  let events: Array<{ decision?: { policyVersion?: string } }> = [];
  while (Date.now() < deadline) {
    const { rows } = await stack.pool.query(`SELECT body FROM audit_events WHERE org_id = $1 AND type LIKE 'request.%'`, [org.id]);
    events = rows.map((r) => JSON.parse(r.body));
    if (events.length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(events).toHaveLength(1);
  expect(events[0].decision?.policyVersion).toBe('off');
});
