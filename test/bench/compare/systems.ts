/**
 * The systems compared, each in its own process on 127.0.0.1, all in front of one mock provider process:
 * the mock called directly, Gatehouse with everything on, Gatehouse with policies off, and Portkey's open-source
 * gateway (routed to the mock through its custom-host header). Same request bytes to all of them.
 */
import path from 'node:path';
import { DEFAULT_REDIS_URL } from '../../../src/config';
import { MOCK_DEMO_KEY } from '../../../src/providers';
import {
  benchDatabaseUrl, newBenchKey, prepareBenchDatabase, startService, type ServiceProcess, type Target,
} from '../lib';
import { SYSTEM_LABELS, type SystemId } from './options';

export interface System {
  id: SystemId;
  label: string;
  /** The process that answers (for `direct`, the mock itself). */
  process: ServiceProcess;
  /** What the load generator sends, per mode. */
  target(body: string): Target;
}

export interface Systems {
  mock: ServiceProcess;
  list: System[];
  databaseUrl: string;
  redisPrefix: string;
  stop(): Promise<void>;
}

const CHAT_PATH = '/v1/chat/completions';
const PORTKEY_SERVER = require.resolve('@portkey-ai/gateway/build/start-server.js', { paths: [path.resolve(__dirname, '..', '..', '..')] });

function target(origin: string, headers: Record<string, string>): (body: string) => Target {
  return (body) => ({ origin, path: CHAT_PATH, headers: { 'content-type': 'application/json', ...headers }, body });
}

/** One Gatehouse gateway process (production mode, warn logs) on the benchmark database. */
export function startGatehouse(
  app: string, workDir: string, name: string, databaseUrl: string, redisPrefix: string, extraNodeFlags: string[] = [], extraEnv: Record<string, string> = {},
): Promise<ServiceProcess> {
  return startService({
    entry: 'gateway-entry.ts',
    logFile: path.join(workDir, `gatehouse-${name}.log`),
    nodeFlags: extraNodeFlags,
    env: {
      GATEHOUSE_BENCH_APP: app, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL || DEFAULT_REDIS_URL, GATEHOUSE_REDIS_PREFIX: redisPrefix, LOG_LEVEL: 'warn',
      // The audit spool (events Redis could not take in time) stays with this run, never in a shared folder.
      GATEHOUSE_AUDIT_SPOOL_DIR: path.join(workDir, `audit-spool-${name}`),
      ...extraEnv,
    },
  });
}

/** Portkey as published: `start-server.js --headless`, production mode, moved onto loopback by the preload. */
export function startPortkey(workDir: string): Promise<ServiceProcess> {
  return startService({
    entry: PORTKEY_SERVER,
    args: ['--headless'],
    nodeFlags: ['--require', path.join(__dirname, 'portkey-preload.ts')],
    logFile: path.join(workDir, 'portkey.log'),
    env: { NODE_ENV: 'production' },
  });
}

/** A fresh benchmark database with the demo (full) and bare set-ups, and one Gatehouse process per set-up. */
export async function prepareGatehouse(app: string, workDir: string, mockUrl: string): Promise<{ databaseUrl: string; fullKey: string; bareKey: string }> {
  const databaseUrl = benchDatabaseUrl();
  const fullKey = newBenchKey();
  const bareKey = newBenchKey();
  await prepareBenchDatabase(app, databaseUrl, mockUrl, fullKey, path.join(workDir, 'seed.log'));
  const seeder = await startService({
    entry: path.join(__dirname, 'seed-entry.ts'), logFile: path.join(workDir, 'seed-compare.log'), readyTimeoutMs: 60_000,
    env: { GATEHOUSE_BENCH_APP: app, DATABASE_URL: databaseUrl, GATEHOUSE_BENCH_BARE_KEY: bareKey },
  });
  await seeder.stop();
  return { databaseUrl, fullKey, bareKey };
}

export async function startSystems(ids: readonly SystemId[], app: string, workDir: string): Promise<Systems> {
  const started: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const mock = await startService({ entry: 'mock-entry.ts', logFile: path.join(workDir, 'mock.log'), env: { GATEHOUSE_BENCH_APP: app } });
    started.push(mock);
    const redisPrefix = `ghbench:${process.pid}:`;
    const needsGatehouse = ids.some((id) => id.startsWith('gatehouse'));
    const db = needsGatehouse ? await prepareGatehouse(app, workDir, mock.url) : null;
    const list: System[] = [];
    for (const id of ids) {
      if (id === 'direct') {
        list.push({ id, label: SYSTEM_LABELS[id], process: mock, target: target(mock.url, { authorization: `Bearer ${MOCK_DEMO_KEY}` }) });
      } else if (id === 'portkey') {
        const p = await startPortkey(workDir);
        started.push(p);
        list.push({
          id, label: SYSTEM_LABELS[id], process: p,
          target: target(p.url, { authorization: 'Bearer dummy', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1` }),
        });
      } else {
        const name = id === 'gatehouse_full' ? 'full' : 'bare';
        // Separate prefixes: each process writes its own audit queue, so one's background work never lands on the other.
        // Policies off: no PII scan and no Rego decision (GATEHOUSE_POLICY_MODE=off); spend and audit still run.
        const p = await startGatehouse(app, workDir, name, db!.databaseUrl, `${redisPrefix}${name}:`, [], name === 'bare' ? { GATEHOUSE_POLICY_MODE: 'off' } : {});
        started.push(p);
        list.push({ id, label: SYSTEM_LABELS[id], process: p, target: target(p.url, { authorization: `Bearer ${id === 'gatehouse_full' ? db!.fullKey : db!.bareKey}` }) });
      }
    }
    return { mock, list, databaseUrl: db?.databaseUrl ?? benchDatabaseUrl(), redisPrefix, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

