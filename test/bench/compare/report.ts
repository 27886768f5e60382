/** The comparison's records → the printed table, the JSON document and the latency chart. */
import type { BarChart, LoadResult, Mode } from '../lib';
import { SYSTEM_LABELS, type CompareLoad, type SystemId } from './options';

export interface CompareRun {
  system: SystemId;
  mode: Mode;
  load: CompareLoad;
  /** `50 connections` or `1000 req/s`. */
  loadLabel: string;
  /** The machine's 1-minute load average when the run started (the machine may be shared). */
  loadAverage1m: number;
  result: LoadResult;
  /** Peak resident memory of the system's process during the run (for `direct`: the mock's), MiB. */
  rssMiB: number;
  /** CPU of the system's process per answered request (all threads, GC included), ms. */
  cpuMsPerRequest: number;
}

/** The figures per system and scenario, with the keys the issue asks for. */
export interface ScenarioFigures {
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  /** This system's percentile minus the mock's, same scenario. */
  added_p50_ms: number | null;
  added_p99_ms: number | null;
  rss_mb: number;
  cpu_ms_per_request: number;
  errors: number;
  non_2xx: number;
  /** Throughput divided by Portkey's in the same scenario (> 1: more than Portkey). */
  rps_vs_portkey: number | null;
  /** p99 divided by Portkey's in the same scenario (< 1: faster than Portkey). */
  p99_vs_portkey: number | null;
  load_average_1m: number;
}

export type SystemFigures = ScenarioFigures & { scenario: string | null; scenarios: Record<string, ScenarioFigures> };

/** `non_streaming_50_connections`, `streaming_1000_rps`, ... */
export function scenarioKey(run: Pick<CompareRun, 'mode' | 'load' | 'loadLabel'>): string {
  const mode = run.mode === 'json' ? 'non_streaming' : 'streaming';
  const n = run.loadLabel.split(' ')[0];
  return `${mode}_${n}_${run.load === 'closed' ? 'connections' : 'rps'}`;
}

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a) ? null : a / b;

export function figures(runs: readonly CompareRun[]): Record<string, Record<string, ScenarioFigures>> {
  const out: Record<string, Record<string, ScenarioFigures>> = {};
  for (const r of runs) {
    const key = scenarioKey(r);
    const same = (id: SystemId): CompareRun | undefined => runs.find((x) => x.system === id && scenarioKey(x) === key);
    const direct = same('direct');
    const portkey = same('portkey');
    const l = r.result.latency;
    (out[r.system] ??= {})[key] = {
      rps: r.result.rps, p50_ms: l.p50, p90_ms: l.p90, p99_ms: l.p99,
      added_p50_ms: direct ? l.p50 - direct.result.latency.p50 : null,
      added_p99_ms: direct ? l.p99 - direct.result.latency.p99 : null,
      rss_mb: r.rssMiB, cpu_ms_per_request: r.cpuMsPerRequest, errors: r.result.errors, non_2xx: r.result.non2xx,
      rps_vs_portkey: portkey ? ratio(r.result.rps, portkey.result.rps) : null,
      p99_vs_portkey: portkey ? ratio(l.p99, portkey.result.latency.p99) : null,
      load_average_1m: r.loadAverage1m,
    };
  }
  return out;
}

/**
 * `{systems: {direct: {...}, gatehouse_full: {...}, ...}}`: per system the headline scenario's figures at the top
 * level (non-streaming at N connections when measured, else the first scenario) and every scenario under `scenarios`.
 */
export function systemsDocument(runs: readonly CompareRun[], headline: string): Record<string, SystemFigures> {
  const out: Record<string, SystemFigures> = {};
  for (const [system, scenarios] of Object.entries(figures(runs))) {
    const key = scenarios[headline] ? headline : Object.keys(scenarios)[0]!;
    out[system] = { ...scenarios[key]!, scenario: key, scenarios };
  }
  return out;
}

const f = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const signed = (n: number | null): string => (n === null || !Number.isFinite(n) ? '-' : (n >= 0 ? '+' : '') + n.toFixed(2));

function table(header: string[], rows: string[][], rightFrom: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= rightFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatCompareTable(runs: readonly CompareRun[]): string {
  const fig = figures(runs);
  const header = ['mode', 'load', 'system', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50', 'added p99', 'RSS MiB', 'CPU ms/req', 'errors', 'non-2xx', 'req/s ÷ Portkey', 'p99 ÷ Portkey'];
  const rows = runs.map((r) => {
    const x = fig[r.system]![scenarioKey(r)]!;
    return [
      r.mode === 'json' ? 'non-streaming' : 'streaming', r.loadLabel, SYSTEM_LABELS[r.system],
      r.result.rps.toFixed(0), f(x.p50_ms), f(x.p90_ms), f(x.p99_ms),
      r.system === 'direct' ? '' : signed(x.added_p50_ms), r.system === 'direct' ? '' : signed(x.added_p99_ms),
      f(x.rss_mb, 0), f(x.cpu_ms_per_request), String(x.errors), String(x.non_2xx),
      x.rps_vs_portkey === null || r.system === 'portkey' ? '' : `×${f(x.rps_vs_portkey)}`,
      x.p99_vs_portkey === null || r.system === 'portkey' ? '' : `×${f(x.p99_vs_portkey, 3)}`,
    ];
  });
  return table(header, rows, 3);
}

/** One panel per scenario, one group per system, bars p50/p90/p99 on a log scale. */
export function latencyChart(runs: readonly CompareRun[], subtitle: string): BarChart {
  const scenarios: CompareRun[][] = [];
  for (const r of runs) {
    const group = scenarios.find((g) => scenarioKey(g[0]!) === scenarioKey(r));
    if (group) group.push(r);
    else scenarios.push([r]);
  }
  return {
    title: 'Chat completions through each system: latency percentiles (log scale)',
    subtitle,
    series: ['p50', 'p90', 'p99'],
    yLabel: 'latency, ms',
    panels: scenarios.map((g) => ({
      title: `${g[0]!.mode === 'json' ? 'non-streaming' : 'streaming'}, ${g[0]!.loadLabel}`,
      groups: g.map((r) => ({ label: SYSTEM_LABELS[r.system], values: [r.result.latency.p50, r.result.latency.p90, r.result.latency.p99] })),
    })),
  };
}
