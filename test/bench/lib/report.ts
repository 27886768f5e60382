/** The benchmark's records, the gateway-vs-direct comparison, the printed tables and the targets verdict. */
import type { LoadResult } from './load';
import type { LoadKind, Mode } from './options';

export interface RunRecord {
  /** `direct` (the mock provider), `floor` (a bare node:http + undici relay) or `gateway`. */
  target: 'direct' | 'floor' | 'gateway';
  /** Gateway log level of this run (gateway runs only). */
  logLevel: string | null;
  mode: Mode;
  load: LoadKind;
  /** 1-based repeat of this scenario. */
  repeat: number;
  /** The machine's 1-minute load average when the run started (the machine may be shared). */
  loadAverage1m: number;
  /** `50 connections` or `500 req/s`. */
  loadLabel: string;
  result: LoadResult;
  /**
   * CPU milliseconds per completed request, whole process (all threads); `proxy` is the gateway or the floor relay.
   * `redis` / `postgres`: those servers on this machine during the run (anyone else's use included; null = not found).
   */
  cpuMsPerRequest: { proxy: number | null; mock: number; loadGenerator: number; redis: number | null; postgres: number | null };
  /** The proxy's time runnable but waiting for a CPU, per request (machine contention; null if unknown). */
  proxyCpuWaitMsPerRequest: number | null;
  /** The proxy's resident memory during the run (peak) and right after, in MiB. */
  proxyRssMiB: { peak: number; after: number } | null;
}

export interface AddedLatency {
  through: 'floor' | 'gateway';
  mode: Mode;
  load: LoadKind;
  loadLabel: string;
  logLevel: string;
  addedP50Ms: number;
  addedP90Ms: number;
  addedP99Ms: number;
  /** Gateway throughput as a share of the mock's. */
  throughputRatio: number;
}

export interface TargetVerdict {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

/**
 * One run per (target, log level, mode, load): the median of its repeats — by throughput for fixed connections,
 * by p50 latency for a fixed rate (an odd count picks the middle run, an even one the lower middle).
 */
export function medianRuns(runs: readonly RunRecord[]): RunRecord[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const key = `${r.target}|${r.logLevel}|${r.mode}|${r.load}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.load !== 'paced' ? b.result.rps - a.result.rps : a.result.latency.p50 - b.result.latency.p50);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  });
}

export function addedLatencies(runs: readonly RunRecord[]): AddedLatency[] {
  const out: AddedLatency[] = [];
  for (const gw of runs) {
    if (gw.target === 'direct') continue;
    const direct = runs.find((r) => r.target === 'direct' && r.mode === gw.mode && r.load === gw.load);
    if (!direct) continue;
    out.push({
      through: gw.target, mode: gw.mode, load: gw.load, loadLabel: gw.loadLabel, logLevel: gw.logLevel ?? '',
      addedP50Ms: gw.result.latency.p50 - direct.result.latency.p50,
      addedP90Ms: gw.result.latency.p90 - direct.result.latency.p90,
      addedP99Ms: gw.result.latency.p99 - direct.result.latency.p99,
      throughputRatio: gw.result.rps / direct.result.rps,
    });
  }
  return out;
}

/** The issue's aims for this stage (reported, not asserted). */
export function verdicts(runs: readonly RunRecord[], added: readonly AddedLatency[], reference: string, rate: number, connections: number): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const paced = added.find((a) => a.through === 'gateway' && a.mode === 'json' && a.load === 'paced' && a.logLevel === reference);
  if (paced) {
    out.push({ name: `added p50 at ${rate} req/s (non-streaming)`, goal: '≤ 1 ms', measured: `${paced.addedP50Ms.toFixed(2)} ms`, met: paced.addedP50Ms <= 1 });
  }
  const closed = runs.find((r) => r.target === 'gateway' && r.mode === 'json' && r.load === 'closed' && r.logLevel === reference);
  if (closed) {
    out.push({ name: `gateway throughput at ${connections} connections (non-streaming)`, goal: '≥ 3,000 req/s', measured: `${Math.round(closed.result.rps)} req/s`, met: closed.result.rps >= 3000 });
  }
  return out;
}

const f2 = (n: number | null | undefined): string => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(2));
const signed = (n: number): string => (n >= 0 ? '+' : '') + n.toFixed(2);

function table(header: string[], rows: string[][], rightAligned: (i: number) => boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const FLOOR_NAME = 'bare node proxy';
const targetName = (r: RunRecord): string =>
  r.target === 'direct' ? 'mock direct' : r.target === 'floor' ? FLOOR_NAME : `gateway (${r.logLevel} logs)`;

export function formatRuns(runs: readonly RunRecord[], withRepeat: boolean): string {
  const header = ['mode', 'load', 'target', ...(withRepeat ? ['#', 'load avg'] : []), 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'proxy CPU ms/req', 'proxy CPU-wait ms/req', 'mock CPU ms/req', 'redis+pg CPU ms/req', 'proxy RSS MiB (peak)'];
  const rows = runs.map((r) => [
    r.mode === 'json' ? 'non-streaming' : 'streaming',
    r.loadLabel,
    targetName(r),
    ...(withRepeat ? [String(r.repeat), r.loadAverage1m.toFixed(1)] : []),
    r.result.rps.toFixed(0),
    f2(r.result.latency.p50), f2(r.result.latency.p90), f2(r.result.latency.p99), f2(r.result.latency.max),
    String(r.result.errors), String(r.result.non2xx),
    f2(r.cpuMsPerRequest.proxy), f2(r.proxyCpuWaitMsPerRequest), f2(r.cpuMsPerRequest.mock),
    r.cpuMsPerRequest.redis === null && r.cpuMsPerRequest.postgres === null ? '-'
      : `${f2(r.cpuMsPerRequest.redis)}+${f2(r.cpuMsPerRequest.postgres)}`,
    r.proxyRssMiB ? r.proxyRssMiB.peak.toFixed(0) : '-',
  ]);
  return table(header, rows, (i) => i >= 3);
}

export function formatPacedDetails(runs: readonly RunRecord[]): string {
  const paced = runs.filter((r) => r.load === 'paced');
  if (paced.length === 0) return '';
  const header = ['mode', 'target', 'offered', 'achieved', 'TTFB p50', 'TTFB p99', 'send lag p50', 'send lag p99'];
  const rows = paced.map((r) => [
    r.mode === 'json' ? 'non-streaming' : 'streaming', targetName(r), `${r.result.offeredRps ?? ''}`, r.result.rps.toFixed(0),
    f2(r.result.ttfb?.p50), f2(r.result.ttfb?.p99), f2(r.result.sendLag?.p50), f2(r.result.sendLag?.p99),
  ]);
  return table(header, rows, (i) => i >= 2);
}

export function formatAdded(added: readonly AddedLatency[]): string {
  const header = ['mode', 'load', 'through', 'added p50 ms', 'added p90 ms', 'added p99 ms', 'throughput vs direct'];
  const rows = added.map((a) => [
    a.mode === 'json' ? 'non-streaming' : 'streaming', a.loadLabel, a.through === 'floor' ? FLOOR_NAME : `gateway (${a.logLevel} logs)`,
    signed(a.addedP50Ms), signed(a.addedP90Ms), signed(a.addedP99Ms), `${(a.throughputRatio * 100).toFixed(0)}%`,
  ]);
  return table(header, rows, (i) => i >= 3);
}

export function formatVerdicts(v: readonly TargetVerdict[]): string {
  return v.map((t) => `  ${t.met ? 'MET   ' : 'MISSED'}  ${t.name}: ${t.measured} (aim ${t.goal})`).join('\n');
}

/**
 * Signs that a run measured the machine rather than the software: the paced generator sending late (it was
 * starved of CPU itself) or the proxy spending much of its time runnable but waiting for a CPU.
 */
export function formatContentionWarnings(runs: readonly RunRecord[]): string {
  const lines: string[] = [];
  for (const r of runs) {
    const name = `${r.mode === 'json' ? 'non-streaming' : 'streaming'} ${r.loadLabel} ${targetName(r)}${r.repeat > 1 ? ` #${r.repeat}` : ''}`;
    const lag = r.result.sendLag?.p99;
    if (lag !== undefined && lag > 5) lines.push(`  ${name}: the load generator sent late (send lag p99 ${lag.toFixed(1)} ms): it was short of CPU itself`);
    const cpu = r.cpuMsPerRequest.proxy;
    const wait = r.proxyCpuWaitMsPerRequest;
    if (cpu !== null && wait !== null && wait > 0.5 * cpu) {
      lines.push(`  ${name}: the proxy waited ${wait.toFixed(2)} ms per request for a CPU (it used ${cpu.toFixed(2)} ms): the machine was busy`);
    }
  }
  return lines.join('\n');
}
