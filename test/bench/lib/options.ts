/** Command-line options of `npm run bench` (parsed with node:util, validated with clear messages). */
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { Runtime, Source } from './app-build';

export type Mode = 'json' | 'stream';
/** `single`: one connection, one request at a time (latency without queueing); `closed`: N connections flat out; `paced`: fixed rate. */
export type LoadKind = 'single' | 'closed' | 'paced';

export interface BenchOptions {
  durationS: number;
  warmupS: number;
  connections: number;
  rate: number;
  modes: Mode[];
  loads: LoadKind[];
  /** The gateway is measured once per level; the first is the reference run, compared with the mock directly. */
  logLevels: string[];
  jsonFile: string | null;
  cpuProf: boolean;
  keepDb: boolean;
  runtime: Runtime;
  /** Build the last commit (default) or the files on disk. */
  source: Source;
  /** Each scenario runs this many times, alternating targets; the summary takes the median. */
  repeat: number;
  /** Also measure a bare node:http + undici relay (the platform's floor). */
  floor: boolean;
  /** Extra environment for the gateway (configuration experiments, e.g. GATEHOUSE_AUDIT_WRITER=false). */
  gatewayEnv: Record<string, string>;
  /** Load the app from this folder instead of building one (e.g. an experimental copy's dist/). */
  app: string | null;
}

export const USAGE = `Usage: npm run bench -- [options]
  --duration S        seconds per measured run (default 10)
  --warmup S          seconds of warm-up per target and mode (default 3)
  --repeat N          run each scenario N times, alternating targets, and report the median (default 1)
  --connections N     connections of the max-throughput run (default 50)
  --rate R            requests per second of the paced run (default 500)
  --modes LIST        json,stream (default both)
  --loads LIST        single (1 connection), closed (N connections), paced (fixed rate); default all three
  --log-levels LIST   gateway log levels to measure, e.g. warn,info (default warn)
  --json FILE         also write the figures as JSON
  --cpu-prof          profile the gateway during the measured runs and print its hot spots
  --runtime dist|tsx  run the compiled sources (default, as production) or the TypeScript through tsx
  --worktree          build the files on disk (uncommitted edits included) instead of the last commit
  --floor             also measure a bare node:http + undici relay: what any Node.js proxy costs here
  --gateway-env K=V   extra environment for the gateway, repeatable (e.g. GATEHOUSE_AUDIT_WRITER=false)
  --app DIR           load the gateway from DIR (a compiled dist/ folder, e.g. of an experimental copy)
  --keep-db           keep the gatehouse_bench database and the run's Redis keys afterwards
`;

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return n;
}

function list<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (raw === undefined) return [...allowed];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`--${name}: unknown value "${item}" (use ${allowed.join(', ')})`);
  }
  if (items.length === 0) throw new Error(`--${name} needs at least one value`);
  return [...new Set(items)] as T[];
}

function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq))) throw new Error(`--gateway-env expects NAME=value, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Returns null when help was asked for. */
export function parseBenchOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      repeat: { type: 'string' },
      rate: { type: 'string' },
      modes: { type: 'string' },
      loads: { type: 'string' },
      'log-levels': { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'keep-db': { type: 'boolean' },
      runtime: { type: 'string' },
      floor: { type: 'boolean' },
      worktree: { type: 'boolean' },
      app: { type: 'string' },
      'gateway-env': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const logLevels = (values['log-levels'] ?? 'warn').split(',').map((s) => s.trim()).filter(Boolean);
  for (const level of logLevels) if (!LEVELS.has(level)) throw new Error(`--log-levels: unknown level "${level}"`);
  if (logLevels.length === 0) throw new Error('--log-levels needs at least one level');
  return {
    durationS: positive('duration', values.duration, 10, false),
    warmupS: values.warmup === '0' ? 0 : positive('warmup', values.warmup, 3, false),
    connections: positive('connections', values.connections, 50, true),
    repeat: positive('repeat', values.repeat, 1, true),
    rate: positive('rate', values.rate, 500, false),
    modes: list<Mode>('modes', values.modes, ['json', 'stream']),
    loads: list<LoadKind>('loads', values.loads, ['single', 'closed', 'paced']),
    logLevels: [...new Set(logLevels)],
    jsonFile: values.json ?? null,
    cpuProf: values['cpu-prof'] ?? false,
    keepDb: values['keep-db'] ?? false,
    runtime: list<Runtime>('runtime', values.runtime ?? 'dist', ['dist', 'tsx'])[0]!,
    floor: values.floor ?? false,
    source: values.worktree ? 'worktree' : 'head',
    app: values.app ? path.resolve(values.app) : null,
    gatewayEnv: parseEnvPairs(values['gateway-env'] ?? []),
  };
}
