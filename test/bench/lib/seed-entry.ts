/**
 * Child-process entry: resets the benchmark database and seeds it with the code under test (GATEHOUSE_BENCH_APP),
 * so migrations and demo data always match the gateway being measured. Reports `ready` when done.
 * Env: DATABASE_URL, GATEHOUSE_BENCH_MOCK_URL, GATEHOUSE_BENCH_KEY.
 */
import { appModule, serveChild } from './child-protocol';

const db = appModule<typeof import('../../../src/db')>('db');
const { demoCatalogSpecs } = appModule<typeof import('../../../src/providers')>('providers');
const { seedDemo } = appModule<typeof import('../../../src/cli/demo-seed')>('cli/demo-seed');

serveChild(async () => {
  const { DATABASE_URL: url, GATEHOUSE_BENCH_MOCK_URL: mockUrl, GATEHOUSE_BENCH_KEY: key } = process.env;
  if (!url || !mockUrl || !key) throw new Error('DATABASE_URL, GATEHOUSE_BENCH_MOCK_URL and GATEHOUSE_BENCH_KEY are required');
  await db.dropDatabase(url);
  await db.ensureDatabase(url);
  const pool = db.createPool(url, { max: 2 });
  try {
    await db.migrate(pool);
    await seedDemo(pool, demoCatalogSpecs(mockUrl), key);
  } finally {
    await pool.end();
  }
  return { url: '', close: async () => undefined };
});
