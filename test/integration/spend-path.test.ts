import OpenAI from 'openai';
import { startTestStack, type TestStack } from '../helpers/stack';
import { createApiKey } from '../../src/identity';
import { findWorkspace, insertPolicyData, upsertOrganisation, upsertWorkspace } from '../../src/db';
import { setKeyLimits, NO_KEY_LIMITS, type KeyLimits } from '../../src/spend';

let stack: TestStack;
beforeAll(async () => { stack = await startTestStack(); });
afterAll(() => stack.close());

async function keyWith(limits: Partial<KeyLimits>): Promise<{ client: OpenAI; keyId: string }> {
  const workspace = await findWorkspace(stack.pool, 'demo');
  const { key, record } = await createApiKey(stack.pool, { workspace, name: 'limited' });
  await setKeyLimits(stack.pool, record.id, { ...NO_KEY_LIMITS, ...limits });
  return { client: new OpenAI({ apiKey: key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 }), keyId: record.id };
}

const ask = (client: OpenAI) => client.chat.completions.create({ model: 'demo-chat', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });

describe('spend caps and rate limits in the request path', () => {
  test('concurrent requests never overshoot a key budget: served or 402, settled total ≤ cap', async () => {
    const cap = 0.05;
    const { client, keyId } = await keyWith({ budgetUsd: cap, budgetWindow: 'day' });
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => ask(client)));
    const served = results.filter((r) => r.status === 'fulfilled').length;
    const denied = results.filter((r) => r.status === 'rejected');
    for (const d of denied) expect((d as PromiseRejectedResult).reason).toMatchObject({ status: 402, code: 'spend_cap_exceeded' });
    expect(served).toBeGreaterThan(5);
    expect(denied.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    await stack.gateway.services.usage.flush();
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n, sum(cost_usd)::float AS spent FROM usage_records WHERE api_key_id = $1 AND status = 200', [keyId]);
    expect(rows[0].n).toBe(served);
    expect(rows[0].spent).toBeLessThanOrEqual(cap);
    const err = denied[0] && (denied[0] as PromiseRejectedResult).reason;
    expect(err.error.limit).toMatchObject({ scope: 'key', window: 'day', limit: cap });
  });

  test('responses carry remaining-budget and rate-limit headers', async () => {
    const { client } = await keyWith({ budgetUsd: 10, budgetWindow: 'month', rpm: 100 });
    const { response } = await ask(client).withResponse();
    expect(Number(response.headers.get('x-gatehouse-budget-remaining-usd'))).toBeLessThan(10);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(Number(response.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(100);
  });

  test('requests per minute → 429 with Retry-After', async () => {
    const { client } = await keyWith({ rpm: 3 });
    for (let i = 0; i < 3; i++) await ask(client);
    const err = await ask(client).catch((e) => e);
    expect(err.status).toBe(429);
    expect(Number(err.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(err.error.limit).toMatchObject({ scope: 'key' });
  });

  test('workspace caps from policy data apply to every key of the workspace', async () => {
    const org = await upsertOrganisation(stack.pool, 'spendco', 'Spend Co');
    const ws = await upsertWorkspace(stack.pool, org, 'main', 'Main');
    await insertPolicyData(stack.pool, org.id, ws.id, { spend: { caps: [{ scope: 'workspace', window: 'month', usd: 0.01 }] } }, 'test');
    const a = await createApiKey(stack.pool, { workspace: ws, name: 'a' });
    const b = await createApiKey(stack.pool, { workspace: ws, name: 'b' });
    const clients = [a, b].map((k) => new OpenAI({ apiKey: k.key, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 }));
    let denied = 0;
    for (let i = 0; i < 12; i++) {
      await ask(clients[i % 2]).catch((e) => { expect(e.status).toBe(402); denied += 1; });
    }
    expect(denied).toBeGreaterThan(0);
  });

  test('a stream cut by the client is settled with the tokens actually streamed', async () => {
    const { client, keyId } = await keyWith({ budgetUsd: 5 });
    const stream = await client.chat.completions.create({ model: 'demo-chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
    for await (const _chunk of stream) break;
    await new Promise((r) => setTimeout(r, 300));
    await stack.gateway.services.usage.flush();
    const { rows } = await stack.pool.query('SELECT completion_tokens, cost_usd FROM usage_records WHERE api_key_id = $1', [keyId]);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].cost_usd)).toBeGreaterThan(0);
  });
});
