import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkTarget, governedChatPayload, startService, type LoadResult, type ServiceProcess } from '../lib';
import { parseCompareOptions } from './options';
import { figures, formatCompareTable, latencyChart, scenarioKey, systemsDocument, type CompareRun } from './report';
import { startPortkey } from './systems';

function result(rps: number, p50: number, p99: number): LoadResult {
  return {
    completed: rps * 10, ok: rps * 10, non2xx: 0, errors: 0, durationS: 10, rps,
    latency: { count: rps * 10, mean: p50, p50, p90: (p50 + p99) / 2, p99, max: p99 * 2 },
  };
}

function run(system: CompareRun['system'], mode: CompareRun['mode'], load: CompareRun['load'], r: LoadResult): CompareRun {
  return { system, mode, load, loadLabel: load === 'closed' ? '50 connections' : '1000 req/s', loadAverage1m: 1, result: r, rssMiB: 100, cpuMsPerRequest: 0.5 };
}

const RUNS: CompareRun[] = [
  run('direct', 'json', 'closed', result(8000, 5, 10)),
  run('gatehouse_full', 'json', 'closed', result(2000, 20, 40)),
  run('portkey', 'json', 'closed', result(1000, 45, 90)),
  run('direct', 'json', 'paced', result(1000, 1, 2)),
  run('gatehouse_full', 'json', 'paced', result(1000, 2, 6)),
  run('portkey', 'json', 'paced', result(900, 500, 2000)),
];

describe('compare options', () => {
  it('defaults to the issue\'s scenarios and always includes the direct run', () => {
    const o = parseCompareOptions([], new Date('2025-01-02T03:04:05Z'))!;
    expect(o).toMatchObject({ durationS: 10, warmupS: 3, connections: 50, rate: 1000, modes: ['json', 'stream'], loads: ['closed', 'paced'], jsonFile: null });
    expect(o.systems).toEqual(['direct', 'gatehouse_full', 'gatehouse_bare', 'portkey']);
    expect(o.chartFile).toMatch(/test\/bench\/results\/compare-20250102-030405\.png$/);
    expect(parseCompareOptions(['--systems', 'portkey,gatehouse_full', '--warmup', '0', '--json', 'x.json'])).toMatchObject({
      systems: ['direct', 'gatehouse_full', 'portkey'], warmupS: 0, jsonFile: path.resolve('x.json'),
    });
    expect(parseCompareOptions(['-h'])).toBeNull();
    expect(() => parseCompareOptions(['--systems', 'kong'])).toThrow(/--systems: unknown value "kong"/);
    expect(() => parseCompareOptions(['--duration', '0'])).toThrow(/--duration must be a positive number/);
  });
});

describe('compare report', () => {
  it('names scenarios by mode and load', () => {
    expect(scenarioKey(RUNS[0]!)).toBe('non_streaming_50_connections');
    expect(scenarioKey({ mode: 'stream', load: 'paced', loadLabel: '1000 req/s' })).toBe('streaming_1000_rps');
  });

  it('computes added latency against direct and ratios against Portkey in the same scenario', () => {
    const f = figures(RUNS);
    expect(f.gatehouse_full!.non_streaming_50_connections).toMatchObject({ rps: 2000, added_p50_ms: 15, added_p99_ms: 30, rps_vs_portkey: 2 });
    expect(f.gatehouse_full!.non_streaming_1000_rps).toMatchObject({ added_p50_ms: 1, added_p99_ms: 4, p99_vs_portkey: 0.003 });
    expect(f.direct!.non_streaming_50_connections!.added_p50_ms).toBe(0);
  });

  it('puts the headline scenario at the top of each system, with every scenario under `scenarios`', () => {
    const doc = systemsDocument(RUNS, 'non_streaming_50_connections');
    expect(Object.keys(doc)).toEqual(['direct', 'gatehouse_full', 'portkey']);
    for (const key of ['rps', 'p50_ms', 'p99_ms', 'added_p50_ms', 'added_p99_ms', 'rss_mb']) expect(doc.portkey).toHaveProperty(key);
    expect(doc.portkey).toMatchObject({ scenario: 'non_streaming_50_connections', rps: 1000, p50_ms: 45 });
    expect(Object.keys(doc.portkey!.scenarios)).toEqual(['non_streaming_50_connections', 'non_streaming_1000_rps']);
    // a headline that was not measured falls back to the first scenario
    expect(systemsDocument(RUNS.slice(3), 'non_streaming_50_connections').direct!.scenario).toBe('non_streaming_1000_rps');
  });

  it('prints one row per run and a chart panel per scenario', () => {
    const lines = formatCompareTable(RUNS).split('\n');
    expect(lines).toHaveLength(2 + RUNS.length);
    expect(lines[0]).toMatch(/req\/s ÷ Portkey/);
    expect(lines[3]).toMatch(/Gatehouse, all on .* \+15\.00 .* ×2\.00/);
    const chart = latencyChart(RUNS, 'sub');
    expect(chart.panels.map((p) => p.title)).toEqual(['non-streaming, 50 connections', 'non-streaming, 1000 req/s']);
    expect(chart.panels[0]!.groups.map((g) => g.values)).toEqual([[5, 7.5, 10], [20, 30, 40], [45, 67.5, 90]]);
  });
});

describe('Portkey as a bench child', () => {
  let mock: ServiceProcess | null = null;
  let portkey: ServiceProcess | null = null;
  afterAll(async () => {
    await portkey?.stop();
    await mock?.stop();
  });

  it('listens on loopback only, reaches the mock through its custom host, streams, and answers stats', async () => {
    mock = await startService({ entry: 'mock-entry.ts', env: { GATEHOUSE_BENCH_APP: path.resolve(__dirname, '..', '..', '..', 'src') } });
    portkey = await startPortkey(os.tmpdir());
    expect(portkey.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The kernel's listening sockets on that port: bound to 127.0.0.1 (0100007F), never to all interfaces.
    const port = Number(new URL(portkey.url).port).toString(16).toUpperCase().padStart(4, '0');
    const listening = readFileSync('/proc/net/tcp', 'latin1').split('\n').concat(readFileSync('/proc/net/tcp6', 'latin1').split('\n'))
      .map((l) => l.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${port}`) && f[3] === '0A').map((f) => f[1]!.split(':')[0]);
    expect(listening).toEqual(['0100007F']);
    const headers = { authorization: 'Bearer dummy', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1` };
    for (const stream of [false, true]) {
      await checkTarget('Portkey', { origin: portkey.url, path: '/v1/chat/completions', headers, body: governedChatPayload(stream).body }, stream);
    }
    const stats = await portkey.stats();
    expect(stats.rssBytes).toBeGreaterThan(0);
    expect(stats.resourcesByKind.TCPServerWrap).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
