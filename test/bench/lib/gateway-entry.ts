/**
 * Child-process entry: one gateway on its own event loop, configured like production through the environment
 * (`loadConfig`: PORT, HOST, DATABASE_URL, REDIS_URL, GATEHOUSE_REDIS_PREFIX, LOG_LEVEL). The benchmark has
 * already migrated and seeded the database. Logs go to this process's stdout, which the benchmark sends to a file.
 */
import { loadConfig } from '../../../src/config';
import { startGateway } from '../../../src/server';
import { serveChild } from './child-protocol';

serveChild(async () => {
  const gateway = await startGateway(loadConfig(process.env), { migrate: false });
  return { url: gateway.url, close: () => gateway.close() };
});
