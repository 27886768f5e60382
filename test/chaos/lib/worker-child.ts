/**
 * Child-process entry: the real `gatehouse worker` command (the audit writer as its own process), run from the
 * sources in this one process so that SIGKILL hits the writer itself, not a wrapper. Configured by the
 * environment (DATABASE_URL, REDIS_URL, GATEHOUSE_REDIS_PREFIX, LOG_LEVEL); it logs "audit worker running" when up.
 */
import { main } from '../../../src/cli/main';

main(['node', 'gatehouse', 'worker', '--no-exports']).catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
