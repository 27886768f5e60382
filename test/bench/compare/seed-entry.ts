/**
 * Child-process entry (after lib/seed-entry.ts seeded the demo): gives the comparison its two Gatehouse set-ups,
 * with the code under test (GATEHOUSE_BENCH_APP), so the data matches the measured gateway.
 * - `full`: the demo workspace with the demo PII rules (tokenize e-mail and phone, redact cards...) plus hard spend
 *   caps on the workspace and the key, so every request is scanned, decided, reserved in Redis, settled and audited.
 * - `bare`: an organisation and workspace whose policy data is empty at both levels (no organisation defaults
 *   either): no PII action, no output scan, no cap, so no reservation round trip. The gateway has no switch that
 *   turns the PII scan and the Rego decision off, so both still run here (see compare/README.md).
 * Env: DATABASE_URL, GATEHOUSE_BENCH_BARE_KEY (the full set-up uses the demo key lib/seed-entry.ts created).
 */
import { appModule, serveChild } from '../lib/child-protocol';

const db = appModule<typeof import('../../../src/db')>('db');
const { createApiKey } = appModule<typeof import('../../../src/identity')>('identity');
const { DEMO_POLICY_DATA } = appModule<typeof import('../../../src/cli/demo-seed')>('cli/demo-seed');

/** Caps far above what a run spends: they are checked and counted on every request but never deny. */
const FULL_POLICY_DATA = {
  ...DEMO_POLICY_DATA,
  spend: {
    caps: [
      { scope: 'workspace', window: 'day', usd: 1_000_000, hard: true },
      { scope: 'key', window: 'total', tokens: 1_000_000_000_000, hard: true },
    ],
  },
};

serveChild(async () => {
  const { DATABASE_URL: url, GATEHOUSE_BENCH_BARE_KEY: bareKey } = process.env;
  if (!url || !bareKey) throw new Error('DATABASE_URL and GATEHOUSE_BENCH_BARE_KEY are required');
  const pool = db.createPool(url, { max: 2 });
  try {
    const demoOrg = await db.upsertOrganisation(pool, 'demo', 'Demo organisation');
    const demo = await db.upsertWorkspace(pool, demoOrg, 'demo', 'Demo workspace');
    await db.insertPolicyData(pool, demoOrg.id, demo.id, FULL_POLICY_DATA, 'bench');

    const bareOrg = await db.upsertOrganisation(pool, 'bench-bare', 'Benchmark: policies off');
    const bare = await db.upsertWorkspace(pool, bareOrg, 'bare', 'Benchmark: policies off');
    await db.insertPolicyData(pool, bareOrg.id, null, {}, 'bench');
    await db.insertPolicyData(pool, bareOrg.id, bare.id, {}, 'bench');
    await createApiKey(pool, { workspace: bare, name: 'bench bare', presetKey: bareKey });
  } finally {
    await pool.end();
  }
  return { url: '', close: async () => undefined };
});
