/** The soak curve as a printed table and a PNG, and the verdict in words. */
import type { LineChart } from '../lib';
import type { SoakSample, Trend, Verdict } from './analysis';

const f = (n: number | null, digits = 1): string => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits));

export const CURVE_HEADER = ['t s', 'rss MiB', 'heap MiB', 'heapTotal MiB', 'handles', 'sockets', 'ELD p50 ms', 'ELD p99 ms', 'req/s', 'errors', 'non-2xx', 'p50 ms', 'p99 ms', 'CPU %', 'CPU wait %', 'load avg'];

export function curveRow(s: SoakSample): string[] {
  return [
    f(s.t, 0), f(s.rssMiB), f(s.heapUsedMiB, 2), f(s.heapTotalMiB), String(s.activeResources), String(s.sockets),
    f(s.eventLoopDelayP50Ms, 2), f(s.eventLoopDelayP99Ms, 2), f(s.rps, 0), String(s.errors), String(s.non2xx),
    f(s.latencyP50Ms, 2), f(s.latencyP99Ms, 2), f(s.cpuPct, 0), f(s.cpuWaitPct, 0), f(s.loadAverage1m, 2),
  ];
}

const WIDTHS = CURVE_HEADER.map((h) => Math.max(h.length, 8));
export const formatCurveLine = (cells: string[]): string => cells.map((c, i) => c.padStart(WIDTHS[i]!)).join(' ');

function trendLine(name: string, t: Trend | null, unit: string): string {
  if (!t) return `  ${name}: -`;
  const u = unit ? ` ${unit}` : '';
  return `  ${name}: ${t.first.toFixed(2)} → ${t.last.toFixed(2)}${u} (median of first → last third), slope ${t.perMinute >= 0 ? '+' : ''}${t.perMinute.toFixed(3)}${u}/min`;
}

export function formatVerdict(v: Verdict, warmupS: number, heapAfterGc: boolean): string {
  return [
    `Growth after warm-up (${warmupS.toFixed(0)} s): heap judged on the ${v.samplesJudged} of ${v.samplesAfterWarmup} windows in which the gateway kept up; rss and handles shown, not judged:`,
    trendLine(`heap used${heapAfterGc ? ' after full GC' : ''}`, v.heap, 'MiB'),
    trendLine('rss', v.rss, 'MiB'),
    trendLine('active handles (follow the requests in flight)', v.handles, ''),
    `Verdict: ${v.outcome.toUpperCase()}${v.reasons.length ? '\n' + v.reasons.map((r) => `  - ${r}`).join('\n') : ''}`,
  ].join('\n');
}

export function soakChart(samples: readonly SoakSample[], title: string, subtitle: string): LineChart {
  const series = (name: string, pick: (s: SoakSample) => number | null): { name: string; points: Array<[number, number]> } => ({
    name, points: samples.flatMap((s) => { const v = pick(s); return v === null ? [] : [[s.t, v] as [number, number]]; }),
  });
  return {
    title, subtitle, xLabel: 'seconds since the load started',
    panels: [
      { title: 'Memory', yLabel: 'MiB', series: [series('rss', (s) => s.rssMiB), series('heap total', (s) => s.heapTotalMiB), series('heap used', (s) => s.heapUsedMiB)] },
      { title: 'Active handles and requests', yLabel: 'count', series: [series('all', (s) => s.activeResources), series('sockets', (s) => s.sockets)] },
      { title: 'Event-loop delay', yLabel: 'ms', series: [series('p50', (s) => s.eventLoopDelayP50Ms), series('p99', (s) => s.eventLoopDelayP99Ms)] },
      { title: 'Throughput and errors', yLabel: 'per second / count', series: [series('req/s', (s) => s.rps), series('errors', (s) => s.errors + s.non2xx)] },
      { title: 'Latency from the scheduled send time', yLabel: 'ms', series: [series('p50', (s) => s.latencyP50Ms), series('p99', (s) => s.latencyP99Ms)] },
      { title: 'Gateway CPU (100 = one core) and time waiting for a CPU', yLabel: '%', series: [series('on CPU', (s) => s.cpuPct), series('waiting', (s) => s.cpuWaitPct)] },
    ],
  };
}
