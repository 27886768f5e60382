import type { Command } from 'commander';
import { createRedis, findWorkspace, type Redis } from '../../db';
import { buildSpendReport, type SpendReport } from '../../spend';
import { withDatabase } from '../context';

const WINDOWS = ['day', 'week', 'month', 'total'] as const;
type Window = (typeof WINDOWS)[number];

/** Redis for the "reserved" column; the report still prints (reserved: null) when it is down. */
async function tryRedis(url: string): Promise<Redis | null> {
  const redis = createRedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  try {
    await redis.connect();
    return redis;
  } catch {
    redis.disconnect();
    return null;
  }
}

const usd = (n: number | null): string => (n === null ? '?' : `$${n.toFixed(4)}`);

function printTable(report: SpendReport): void {
  const out = process.stdout;
  out.write(`Spend of ${report.workspace}, ${report.window} ${report.windowId} (${report.timeZone})`
    + `${report.from ? ` from ${report.from}` : ''}${report.to ? ` to ${report.to}` : ''}\n`);
  out.write(`${'scope'.padEnd(10)}${'name'.padEnd(32)}${'requests'.padStart(9)}${'spent'.padStart(12)}${'reserved'.padStart(12)}${'tokens'.padStart(12)}  limits\n`);
  for (const e of report.entries) {
    const limits = e.limits.map((l) => `${l.hard ? '' : 'soft '}${l.unit === 'usd' ? usd(l.limit) : `${l.limit} tok`} (left ${l.unit === 'usd' ? usd(l.remaining) : l.remaining})`).join(', ');
    out.write(`${e.scope.padEnd(10)}${(e.name ?? e.id ?? '').slice(0, 31).padEnd(32)}${String(e.requests).padStart(9)}${usd(e.spentUsd).padStart(12)}`
      + `${usd(e.reservedUsd).padStart(12)}${String(e.tokens).padStart(12)}  ${limits || '-'}${e.revoked ? ' [revoked]' : ''}\n`);
  }
}

export function registerSpendCommands(program: Command): void {
  const spend = program.command('spend').description('Spend caps and usage');

  spend.command('report')
    .description('Spend per workspace, user and key over the current window, from the ledger (with in-flight reservations)')
    .requiredOption('--workspace <slug>', 'workspace slug (or org/workspace)')
    .option('--window <window>', `one of ${WINDOWS.join(', ')}`, 'month')
    .option('--time-zone <zone>', 'IANA time zone of the calendar window', 'UTC')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; window: string; timeZone: string; json?: boolean }) => {
      if (!(WINDOWS as readonly string[]).includes(opts.window)) throw new Error(`--window must be one of ${WINDOWS.join(', ')}, got "${opts.window}"`);
      await withDatabase(async (pool, config) => {
        const workspace = await findWorkspace(pool, opts.workspace);
        const redis = await tryRedis(config.redisUrl);
        try {
          const report = await buildSpendReport({
            pool, workspace, window: opts.window as Window, timeZone: opts.timeZone, redis, prefix: config.redisPrefix,
          });
          if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
          else printTable(report);
        } finally {
          redis?.disconnect();
        }
      });
    });
}
