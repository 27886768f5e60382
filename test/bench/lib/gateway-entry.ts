/**
 * Child-process entry: one gateway on its own event loop, loaded from GATEHOUSE_BENCH_APP (compiled dist/ or src/)
 * and configured like production through the environment (`loadConfig`: PORT, HOST, DATABASE_URL, REDIS_URL,
 * GATEHOUSE_REDIS_PREFIX, LOG_LEVEL). The benchmark has already migrated and seeded the database. Logs go to this
 * process's stdout, which the benchmark sends to a file.
 */
import { appModule, serveChild } from './child-protocol';

const { loadConfig } = appModule<typeof import('../../../src/config')>('config');
const { startGateway } = appModule<typeof import('../../../src/server')>('server');

serveChild(async () => {
  const gateway = await startGateway(loadConfig(process.env), { migrate: false });
  return { url: gateway.url, close: () => gateway.close() };
});
