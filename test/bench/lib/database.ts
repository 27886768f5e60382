/** The benchmark's own database: `gatehouse_bench`, dropped and recreated per run, migrated and seeded like the demo. */
import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL } from '../../../src/config';
import { createPool, dropDatabase, ensureDatabase, migrate } from '../../../src/db';
import { demoCatalogSpecs } from '../../../src/providers';
import { seedDemo } from '../../../src/cli/demo-seed';

export const BENCH_DATABASE_NAME = 'gatehouse_bench';

/** DATABASE_URL's server (default: the project default) with the benchmark's database name. */
export function benchDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env.DATABASE_URL || DEFAULT_DATABASE_URL);
  url.pathname = `/${BENCH_DATABASE_NAME}`;
  return url.toString();
}

/** A key in Gatehouse's format, known to the benchmark before the gateway starts. */
export const newBenchKey = (): string => `gh_bench_${randomBytes(32).toString('base64url')}`;

/** Fresh database with migrations, the demo organisation/workspace, the demo catalog on `mockUrl` and `apiKey`. */
export async function prepareBenchDatabase(databaseUrl: string, mockUrl: string, apiKey: string): Promise<void> {
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl, { max: 2 });
  try {
    await migrate(pool);
    await seedDemo(pool, demoCatalogSpecs(mockUrl), apiKey);
  } finally {
    await pool.end();
  }
}
