/** Command-line options of `npm run bench:soak`. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Mode } from '../lib';

export interface SoakOptions {
  minutes: number;
  rate: number;
  /** Connections the load generator may open. */
  connections: number;
  /** Seconds between samples. */
  intervalS: number;
  /** Samples before this are shown but not judged (default: a fifth of the run, at most 2 minutes). */
  warmupS: number;
  mode: Mode;
  /** Read the heap after a forced full GC (the live heap); off: raw heapUsed, garbage included. */
  gc: boolean;
  jsonFile: string | null;
  chartFile: string;
  worktree: boolean;
  keepDb: boolean;
}

export const SOAK_USAGE = `Usage: npm run bench:soak -- [options]
  --minutes M        length of the run (default 10)
  --rate R           requests per second, evenly paced (default 500)
  --connections N    connections the load generator may open (default 64; a stall queues requests on its side)
  --interval S       seconds between samples (default 10)
  --warmup S         seconds before samples count for the verdict (default: a fifth of the run, at most 120)
  --mode json|stream non-streaming (default) or streaming requests
  --no-gc            read the heap as it is instead of after a forced full GC
  --json FILE        also write the samples and the verdict as JSON
  --chart FILE       where the PNG goes (default test/bench/results/soak-<time>.png)
  --worktree         build the files on disk (uncommitted edits included) instead of the last commit
  --keep-db          keep the gatehouse_bench database and the run's Redis keys afterwards
`;

function positive(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw}"`);
  return n;
}

export function parseSoakOptions(argv: string[], now: Date = new Date()): SoakOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      minutes: { type: 'string' }, rate: { type: 'string' }, connections: { type: 'string' }, interval: { type: 'string' }, warmup: { type: 'string' },
      mode: { type: 'string' }, 'no-gc': { type: 'boolean' }, json: { type: 'string' }, chart: { type: 'string' },
      worktree: { type: 'boolean' }, 'keep-db': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const minutes = positive('minutes', values.minutes, 10);
  const mode = values.mode ?? 'json';
  if (mode !== 'json' && mode !== 'stream') throw new Error(`--mode must be json or stream, got "${mode}"`);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return {
    minutes,
    rate: positive('rate', values.rate, 500),
    connections: Math.round(positive('connections', values.connections, 64)),
    intervalS: positive('interval', values.interval, 10),
    warmupS: positive('warmup', values.warmup, Math.min(120, (minutes * 60) / 5), true),
    mode,
    gc: !values['no-gc'],
    jsonFile: values.json ? path.resolve(values.json) : null,
    chartFile: path.resolve(values.chart ?? path.join(__dirname, '..', 'results', `soak-${stamp}.png`)),
    worktree: values.worktree ?? false,
    keepDb: values['keep-db'] ?? false,
  };
}
