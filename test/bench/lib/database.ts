/** The benchmark's own database: `gatehouse_bench`, dropped and recreated per run, migrated and seeded like the demo. */
import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL } from '../../../src/config';
import { startService } from './children';

export const BENCH_DATABASE_NAME = 'gatehouse_bench';

/** DATABASE_URL's server (default: the project default) with the benchmark's database name. */
export function benchDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env.DATABASE_URL || DEFAULT_DATABASE_URL);
  url.pathname = `/${BENCH_DATABASE_NAME}`;
  return url.toString();
}

/** A key in Gatehouse's format, known to the benchmark before the gateway starts. */
export const newBenchKey = (): string => `gh_bench_${randomBytes(32).toString('base64url')}`;

/**
 * Fresh database with migrations, the demo organisation/workspace, the demo catalog on `mockUrl` and `apiKey` —
 * done by a child process running the code under test (`app`), so schema and seed match the measured gateway.
 */
export async function prepareBenchDatabase(app: string, databaseUrl: string, mockUrl: string, apiKey: string, logFile?: string): Promise<void> {
  const seeder = await startService({
    entry: 'seed-entry.ts', logFile, readyTimeoutMs: 120_000,
    env: { GATEHOUSE_BENCH_APP: app, DATABASE_URL: databaseUrl, GATEHOUSE_BENCH_MOCK_URL: mockUrl, GATEHOUSE_BENCH_KEY: apiKey },
  });
  await seeder.stop();
}
