import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '../../src/db';

const BASE_URL = process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty database per test file; dropped at the end. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(BASE_URL);
  url.pathname = `/gatehouse_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  return { url: databaseUrl, drop: () => dropDatabase(databaseUrl) };
}

export const TEST_REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis key/channel prefix of its own, so parallel test files never see each other. */
export const uniqueRedisPrefix = (): string => `ghtest:${process.pid}:${randomBytes(4).toString('hex')}:`;
