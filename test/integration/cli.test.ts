import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/database';
import { createPool, findKeyByLookupId, upsertOrganisation, upsertWorkspace } from '../../src/db';

const run = promisify(execFile);
// Each case spawns several CLI processes (a Node start each); on a loaded 2-core machine that takes a while.
jest.setTimeout(120_000);
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'gatehouse.js');

let db: { url: string; drop: () => Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  db = await createTestDatabase();
  env = { ...process.env, DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, GATEHOUSE_REDIS_PREFIX: uniqueRedisPrefix() };
});
afterAll(() => db.drop());

const gatehouse = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, cwd: ROOT });

describe('gatehouse CLI', () => {
  test('--help lists the operator commands', async () => {
    const { stdout } = await gatehouse('--help');
    for (const cmd of ['serve', 'demo', 'migrate', 'mock-provider', 'keys']) expect(stdout).toContain(cmd);
  });

  test('migrate creates the schema and is idempotent', async () => {
    const first = await gatehouse('migrate');
    expect(first.stdout).toMatch(/Applied: 001_foundation\.sql/);
    const second = await gatehouse('migrate');
    expect(second.stdout).toMatch(/up to date/);
  });

  test('keys create → list → revoke', async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      const org = await upsertOrganisation(pool, 'acme', 'Acme');
      await upsertWorkspace(pool, org, 'prod', 'Production');
      const { stdout } = await gatehouse('keys', 'create', '--workspace', 'prod', '--name', 'ci', '--models', 'demo-*', '--json');
      const created = JSON.parse(stdout) as { id: string; key: string; workspace: string; allowed_models: string[] };
      expect(created.key).toMatch(/^gh_[0-9A-Za-z]{48}$/);
      expect(created.workspace).toBe('acme/prod');
      expect(created.allowed_models).toEqual(['demo-*']);

      // Only the hash is stored.
      const { rows } = await pool.query('SELECT * FROM api_keys WHERE id = $1', [created.id]);
      expect(JSON.stringify(rows[0])).not.toContain(created.key.slice(3));

      const listed = JSON.parse((await gatehouse('keys', 'list', '--workspace', 'acme/prod', '--json')).stdout) as Array<{ id: string; prefix: string }>;
      expect(listed.map((k) => k.id)).toEqual([created.id]);
      expect(listed[0].prefix).toBe(`${created.key.slice(0, 15)}…`);

      await gatehouse('keys', 'revoke', listed[0].prefix);
      const record = await findKeyByLookupId(pool, created.key.slice(3, 15));
      expect(record!.revokedAt).not.toBeNull();
      expect(JSON.parse((await gatehouse('keys', 'list', '--workspace', 'prod', '--json')).stdout)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  test('errors are one clear line and a non-zero exit', async () => {
    await expect(gatehouse('keys', 'create', '--workspace', 'nope')).rejects.toMatchObject({
      code: 1, stderr: expect.stringMatching(/^gatehouse: workspace "nope" not found\n$/),
    });
  });
});
