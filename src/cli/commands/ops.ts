import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateSigningKeyPem } from '../../audit';
import { loadConfig } from '../../config';
import { createPool, ensureDatabase, migrate } from '../../db';
import { catalogIsEmpty, upsertCatalog } from '../../catalog';
import { defaultCatalogSpecs, demoCatalogSpecs } from '../../providers';
import { startGateway, type Gateway } from '../../server';
import { startMockProvider } from '../../mock';
import { createLogger } from '../../logger';
import { seedDemo } from '../demo-seed';

/** Stops cleanly on SIGINT/SIGTERM: in-flight requests and streams drain first. */
function closeOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: draining in-flight requests…\n`);
    close().then(() => process.exit(0), (err) => {
      process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function demoBanner(gateway: Gateway, mockUrl: string, apiKey: string | null, reused: boolean): string {
  const key = apiKey ?? '<your demo key>';
  return [
    '',
    `Gatehouse demo is running at ${gateway.url}  (mock provider at ${mockUrl})`,
    `Demo API key${reused ? ' (from GATEHOUSE_DEMO_API_KEY)' : ''}: ${key}`,
    '',
    'Try it:',
    `  curl -s ${gateway.url}/v1/chat/completions \\`,
    `    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`,
    `    -d '{"model":"demo-chat","messages":[{"role":"user","content":"Hello!"}]}'`,
    '',
    `Models: demo-chat, demo-echo, demo-embed.   Health: ${gateway.url}/readyz   Metrics: ${gateway.url}/metrics`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/**
 * The demo signs its audit checkpoints with a key of its own, made on first run under
 * .gatehouse/ (production deployments set GATEHOUSE_AUDIT_SIGNING_KEY[_FILE] themselves).
 */
function ensureDemoSigningKey(): void {
  if (process.env.GATEHOUSE_AUDIT_SIGNING_KEY || process.env.GATEHOUSE_AUDIT_SIGNING_KEY_FILE) return;
  const file = path.resolve('.gatehouse', 'demo-audit-signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const pair = generateSigningKeyPem();
    writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
    // The public half is what an auditor pins when verifying an export offline.
    writeFileSync(file.replace(/\.pem$/, '.pub.pem'), pair.publicKeyPem);
  }
  process.env.GATEHOUSE_AUDIT_SIGNING_KEY_FILE = file;
}

export function registerOpsCommands(program: Command): void {
  program.command('migrate')
    .description('Apply pending database migrations (creates the database if missing)')
    .action(async () => {
      const config = loadConfig();
      const created = await ensureDatabase(config.databaseUrl);
      const pool = createPool(config.databaseUrl, { max: 1 });
      try {
        const result = await migrate(pool);
        if (created) process.stdout.write('Created the database.\n');
        process.stdout.write(result.applied.length ? `Applied: ${result.applied.join(', ')}\n` : 'Database is up to date.\n');
      } finally {
        await pool.end();
      }
    });

  program.command('serve')
    .description('Run the gateway (applies migrations; seeds the default catalog into an empty database)')
    .option('--no-migrate', 'do not apply migrations at start')
    .action(async (opts: { migrate: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const gateway = await startGateway(config, { logger, migrate: opts.migrate, seedCatalog: defaultCatalogSpecs() });
      logger.info({ url: gateway.url }, 'gatehouse listening');
      closeOnSignals(gateway.close);
    });

  program.command('demo')
    .description('Start the mock provider and the gateway with a demo workspace, catalog and API key')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      ensureDemoSigningKey();
      const mock = await startMockProvider({ port: config.mockPort, host: '127.0.0.1' });
      await ensureDatabase(config.databaseUrl);
      const pool = createPool(config.databaseUrl, { max: 2 });
      let seeded;
      try {
        await migrate(pool);
        if (await catalogIsEmpty(pool)) await upsertCatalog(pool, defaultCatalogSpecs());
        seeded = await seedDemo(pool, demoCatalogSpecs(mock.url), config.demoApiKey);
      } finally {
        await pool.end();
      }
      const gateway = await startGateway(config, { logger, migrate: false });
      process.stdout.write(demoBanner(gateway, mock.url, seeded.apiKey, seeded.keyReused));
      closeOnSignals(async () => {
        await gateway.close();
        await mock.close();
      });
    });
}
