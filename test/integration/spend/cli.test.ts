import { Registry } from 'prom-client';
import { buildProgram } from '../../../src/cli/main';
import { createPool, createRedis, migrate, upsertOrganisation, upsertWorkspace, type Pool, type Redis } from '../../../src/db';
import { SpendGuard, UsageLedger, loadKeyLimits, type SpendReport } from '../../../src/spend';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let redis: Redis;
const prefix = uniqueRedisPrefix();
const saved = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.REDIS_URL = TEST_REDIS_URL;
  process.env.GATEHOUSE_REDIS_PREFIX = prefix;
  pool = createPool(db.url, { max: 2 });
  await migrate(pool);
  const org = await upsertOrganisation(pool, 'acme', 'Acme');
  await upsertWorkspace(pool, org, 'prod', 'Production');
  redis = createRedis(TEST_REDIS_URL);
});
afterAll(async () => {
  process.env = saved;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await pool.end();
  await db.drop();
});

/** Runs the CLI in-process and returns what it printed. */
async function gatehouse(...args: string[]): Promise<string> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  try {
    await buildProgram().parseAsync(['node', 'gatehouse', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('gatehouse keys create with limits, gatehouse spend report', () => {
  let keyId: string;

  test('keys create stores budget and rate limits on the key', async () => {
    const created = JSON.parse(await gatehouse('keys', 'create', '--workspace', 'acme/prod', '--name', 'batch', '--budget-usd', '5',
      '--budget-window', 'day', '--rpm', '60', '--tpm', '100000', '--max-parallel', '3', '--json')) as { id: string; key: string; limits: unknown };
    keyId = created.id;
    expect(created.key).toMatch(/^gh_/);
    expect(created.limits).toEqual({ budget_usd: 5, budget_window: 'day', budget_tokens: null, rpm: 60, tpm: 100000, max_parallel: 3 });
    expect(await loadKeyLimits(pool, created.id)).toEqual({ budgetUsd: 5, budgetWindow: 'day', budgetTokens: null, rpm: 60, tpm: 100000, maxParallel: 3 });
  });

  test('invalid limits are refused before any key is created', async () => {
    const before = (await pool.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n;
    await expect(gatehouse('keys', 'create', '--workspace', 'prod', '--rpm', '0', '--json')).rejects.toThrow(/--rpm must be a positive integer/);
    await expect(gatehouse('keys', 'create', '--workspace', 'prod', '--budget-usd', 'lots')).rejects.toThrow(/--budget-usd takes a number/);
    await expect(gatehouse('keys', 'create', '--workspace', 'prod', '--budget-usd', '1', '--budget-window', 'year')).rejects.toThrow(/--budget-window must be one of/);
    expect((await pool.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(before);
  });

  test('spend report: spent per workspace, user and key from the ledger, reserved from Redis, the key budget', async () => {
    const { rows: [ws] } = await pool.query('SELECT id, org_id FROM workspaces WHERE slug = $1', ['prod']);
    const { rows: [user] } = await pool.query(`INSERT INTO users (org_id, email) VALUES ($1, 'ada@acme.test') RETURNING id`, [ws.org_id]);
    await pool.query('UPDATE api_keys SET user_id = $1 WHERE id = $2', [user.id, keyId]);
    const ledger = new UsageLedger({ pool });
    for (const cost of [0.25, 0.5]) {
      ledger.record({
        requestId: 'r', orgId: ws.org_id, workspaceId: ws.id, apiKeyId: keyId, userId: user.id, route: 'chat', model: 'gpt-4o', endpointId: 'e',
        status: 200, stream: false, promptTokens: 1000, completionTokens: 500, cachedTokens: 0, costUsd: cost, latencyMs: 3, errorCode: null,
      });
    }
    await ledger.close();
    const guard = new SpendGuard({ redis, pool, prefix, reapIntervalMs: 0, registry: new Registry() });
    const held = await guard.reserve({ orgId: ws.org_id, workspaceId: ws.id, userId: user.id, keyId },
      { promptTokens: 100, maxOutputTokens: 900, tokens: 1000, usd: 0.125 }, [{ scope: 'key', window: 'day', unit: 'usd', limit: 5, hard: true }], []);

    const report = JSON.parse(await gatehouse('spend', 'report', '--workspace', 'acme/prod', '--window', 'day', '--json')) as SpendReport;
    expect(report).toMatchObject({ workspace: 'acme/prod', window: 'day', timeZone: 'UTC' });
    const find = (scope: string) => report.entries.find((e) => e.scope === scope)!;
    expect(find('workspace')).toMatchObject({ requests: 2, spentUsd: 0.75, tokens: 3000, reservedUsd: 0.125, reservedTokens: 1000 });
    expect(find('user')).toMatchObject({ id: user.id, name: 'ada@acme.test', requests: 2, spentUsd: 0.75, reservedUsd: 0.125 });
    expect(find('key')).toMatchObject({
      id: keyId, name: 'batch', spentUsd: 0.75, reservedUsd: 0.125,
      limits: [{ unit: 'usd', limit: 5, hard: true, source: 'key', remaining: 4.125 }],
    });
    const table = await gatehouse('spend', 'report', '--workspace', 'prod', '--window', 'day');
    expect(table).toMatch(/key\s+batch\s+2\s+\$0\.7500\s+\$0\.1250\s+3000\s+\$5\.0000 \(left \$4\.1250\)/);
    await guard.release(held);
    guard.close();
    await expect(gatehouse('spend', 'report', '--workspace', 'prod', '--window', 'year')).rejects.toThrow(/--window must be one of/);
  });
});
