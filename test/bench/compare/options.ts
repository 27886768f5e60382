/** Command-line options of `npm run bench:compare` (node:util parseArgs, validated with the option named). */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Mode } from '../lib';

export const SYSTEM_IDS = ['direct', 'gatehouse_full', 'gatehouse_bare', 'portkey'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

export const SYSTEM_LABELS: Record<SystemId, string> = {
  direct: 'mock direct',
  gatehouse_full: 'Gatehouse, all on',
  gatehouse_bare: 'Gatehouse, policies off',
  portkey: 'Portkey gateway',
};
/** `closed`: N connections flat out (throughput); `paced`: a fixed, evenly paced rate (latency). */
export type CompareLoad = 'closed' | 'paced';

export interface CompareOptions {
  durationS: number;
  warmupS: number;
  connections: number;
  rate: number;
  modes: Mode[];
  loads: CompareLoad[];
  systems: SystemId[];
  jsonFile: string | null;
  /** PNG of the latency percentiles (an SVG is written beside it); default under test/bench/results/. */
  chartFile: string;
  /** Build the files on disk instead of the last commit. */
  worktree: boolean;
  keepDb: boolean;
}

export const COMPARE_USAGE = `Usage: npm run bench:compare -- [options]
  --duration S       seconds per measured run (default 10)
  --warmup S         seconds of warm-up per system and mode (default 3; 0 = none)
  --connections N    connections of the throughput run (default 50)
  --rate R           requests per second of the fixed-rate run (default 1000)
  --modes LIST       json,stream (default both)
  --loads LIST       closed,paced (default both)
  --systems LIST     direct,gatehouse_full,gatehouse_bare,portkey (default all; direct is always measured)
  --json FILE        also write the figures as JSON ({"systems": {...}})
  --chart FILE       where the PNG chart goes (default test/bench/results/compare-<time>.png)
  --worktree         build the files on disk (uncommitted edits included) instead of the last commit
  --keep-db          keep the gatehouse_bench database and the run's Redis keys afterwards
`;

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean, allowZero = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got "${raw}"`);
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
  return allowed.filter((a) => items.includes(a));
}

/** Returns null when help was asked for. */
export function parseCompareOptions(argv: string[], now: Date = new Date()): CompareOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' }, rate: { type: 'string' },
      modes: { type: 'string' }, loads: { type: 'string' }, systems: { type: 'string' }, json: { type: 'string' },
      chart: { type: 'string' }, worktree: { type: 'boolean' }, 'keep-db': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const systems = list<SystemId>('systems', values.systems, SYSTEM_IDS);
  // Added latency is measured against the provider called directly, so that run is always part of the comparison.
  if (!systems.includes('direct')) systems.unshift('direct');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return {
    durationS: positive('duration', values.duration, 10, false),
    warmupS: positive('warmup', values.warmup, 3, false, true),
    connections: positive('connections', values.connections, 50, true),
    rate: positive('rate', values.rate, 1000, false),
    modes: list<Mode>('modes', values.modes, ['json', 'stream']),
    loads: list<CompareLoad>('loads', values.loads, ['closed', 'paced']),
    systems,
    jsonFile: values.json ? path.resolve(values.json) : null,
    chartFile: path.resolve(values.chart ?? path.join(__dirname, '..', 'results', `compare-${stamp}.png`)),
    worktree: values.worktree ?? false,
    keepDb: values['keep-db'] ?? false,
  };
}
