import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SampleBuffer, addedLatencies, closedLoop, medianRuns, pacedLoop, parseBenchOptions, percentile, summariseProfile,
  verdicts, type LoadResult, type RunRecord,
} from './index';

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const close = (server: Server): Promise<void> => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 90)).toBe(9);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });

  it('keeps every sample as the buffer grows and sorts numerically', () => {
    const b = new SampleBuffer();
    for (let i = 40_000; i >= 1; i--) b.add(i);
    const s = b.summary();
    expect(s.count).toBe(40_000);
    expect(s.p50).toBe(20_000);
    expect(s.max).toBe(40_000);
    expect(s.mean).toBeCloseTo(20_000.5, 6);
  });
});

describe('options', () => {
  it('defaults to the issue\'s scenarios', () => {
    const o = parseBenchOptions([])!;
    expect(o).toMatchObject({ durationS: 10, connections: 50, rate: 500, repeat: 1, modes: ['json', 'stream'], loads: ['single', 'closed', 'paced'], logLevels: ['warn'], jsonFile: null, runtime: 'dist', source: 'head' });
  });

  it('parses lists and flags', () => {
    const o = parseBenchOptions(['--duration', '2.5', '--modes', 'stream', '--loads', 'paced,closed', '--log-levels', 'warn,info', '--json', 'out.json', '--cpu-prof', '--floor', '--worktree'])!;
    expect(o).toMatchObject({ durationS: 2.5, modes: ['stream'], loads: ['paced', 'closed'], logLevels: ['warn', 'info'], jsonFile: 'out.json', cpuProf: true, floor: true, source: 'worktree' });
  });

  it('returns null for --help and rejects bad input with the option named', () => {
    expect(parseBenchOptions(['--help'])).toBeNull();
    expect(() => parseBenchOptions(['--duration', 'abc'])).toThrow(/--duration must be a positive number/);
    expect(() => parseBenchOptions(['--connections', '2.5'])).toThrow(/--connections must be a positive integer/);
    expect(() => parseBenchOptions(['--modes', 'json,xml'])).toThrow(/--modes: unknown value "xml"/);
    expect(() => parseBenchOptions(['--log-levels', 'loud'])).toThrow(/unknown level "loud"/);
    expect(() => parseBenchOptions(['--nope'])).toThrow(/Unknown option/);
    expect(() => parseBenchOptions(['--gateway-env', 'novalue'])).toThrow(/NAME=value/);
    expect(parseBenchOptions(['--gateway-env', 'A=1', '--gateway-env', 'B=x=y'])!.gatewayEnv).toEqual({ A: '1', B: 'x=y' });
  });
});

function result(rps: number, p50: number, p99 = p50 * 2): LoadResult {
  const latency = { count: 100, mean: p50, p50, p90: p50, p99, max: p99 };
  return { completed: 100, ok: 100, non2xx: 0, errors: 0, durationS: 1, rps, latency };
}

function run(target: RunRecord['target'], load: RunRecord['load'], rps: number, p50: number, repeat = 1): RunRecord {
  return {
    target, logLevel: target === 'gateway' ? 'warn' : null, mode: 'json', load, repeat, loadAverage1m: 0,
    loadLabel: load === 'paced' ? '500 req/s' : '50 connections', result: result(rps, p50),
    cpuMsPerRequest: { proxy: null, mock: 0, loadGenerator: 0, redis: null, postgres: null }, proxyCpuWaitMsPerRequest: null, proxyRssMiB: null,
  };
}

describe('report', () => {
  it('picks the median repeat: by throughput at fixed connections, by p50 at a fixed rate', () => {
    const runs = [
      run('gateway', 'closed', 1000, 9, 1), run('gateway', 'closed', 3000, 5, 2), run('gateway', 'closed', 2000, 1, 3),
      run('gateway', 'paced', 500, 3, 1), run('gateway', 'paced', 500, 1, 2), run('gateway', 'paced', 500, 2, 3),
    ];
    const med = medianRuns(runs);
    expect(med.find((r) => r.load === 'closed')!.repeat).toBe(3);
    expect(med.find((r) => r.load === 'paced')!.repeat).toBe(3);
  });

  it('compares the gateway with the mock in the same scenario and judges the aims', () => {
    const runs = [run('direct', 'paced', 500, 1), run('gateway', 'paced', 500, 1.8), run('direct', 'closed', 10_000, 4), run('gateway', 'closed', 3200, 15)];
    const added = addedLatencies(runs);
    expect(added).toHaveLength(2);
    const paced = added.find((a) => a.load === 'paced')!;
    expect(paced.addedP50Ms).toBeCloseTo(0.8, 10);
    expect(paced.throughputRatio).toBe(1);
    const aims = verdicts(runs, added, 'warn', 500, 50);
    expect(aims.map((a) => a.met)).toEqual([true, true]);
    expect(verdicts([run('direct', 'closed', 10_000, 4), run('gateway', 'closed', 2999, 15)], [], 'warn', 500, 50)[0]!.met).toBe(false);
  });
});

describe('cpu profile summary', () => {
  it('leaves idle out, caps late samples and counts recursion once in inclusive time', () => {
    const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 5] },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('handle', 'file:///x/node_modules/router/index.js', 10), children: [4] },
        { id: 4, callFrame: frame('handle', 'file:///x/node_modules/router/index.js', 10), children: [6] },
        { id: 5, callFrame: frame('(garbage collector)') },
        { id: 6, callFrame: frame('writev') },
      ],
      // 1 ms apart, except one 50 ms gap (a preempted thread): capped at twice the usual interval.
      samples: [2, 4, 4, 6, 5, 6],
      timeDeltas: [1000, 1000, 1000, 50_000, 1000, 1000],
      startTime: 0, endTime: 55_000,
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-lib-test-'));
    const file = path.join(dir, 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const s = summariseProfile(file, []);
    expect(s.busyMs).toBeCloseTo(6, 6); // 1 + 1 + 2 (capped) + 1 + 1, idle excluded
    expect(s.gcMs).toBeCloseTo(1, 6);
    expect(s.areas.find((a) => a.area === 'npm:router')!.ms).toBeCloseTo(2, 6);
    expect(s.selfTop[0]).toMatchObject({ name: 'writev' });
    expect(s.selfTop[0]!.ms).toBeCloseTo(3, 6);
  });
});

describe('load generators against a real server', () => {
  it('paces requests at the offered rate and tells successes, statuses and invalid bodies apart', async () => {
    let n = 0;
    const { server, origin } = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        n++;
        if (n % 10 === 0) { res.writeHead(500).end('{"error":{}}'); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(n % 10 === 5 ? '{"nope":1}' : '{"choices":[]}');
      });
    });
    try {
      const r = await pacedLoop({ origin, path: '/v1/chat/completions', headers: {}, body: '{}' }, {
        rate: 200, durationS: 0.5, validate: (body) => body.includes('"choices"'),
      });
      expect(r.completed).toBe(100);
      expect(r.non2xx).toBe(10);
      expect(r.errors).toBe(10);
      expect(r.ok).toBe(80);
      expect(r.latency.count).toBe(80);
      expect(r.sendLag!.count).toBe(100);
    } finally {
      await close(server);
    }
  });

  it('counts connection failures as errors instead of hanging', async () => {
    const { server, origin } = await listen(() => undefined);
    await close(server);
    const r = await pacedLoop({ origin, path: '/', headers: {}, body: '{}' }, { rate: 100, durationS: 0.2, timeoutMs: 2000 });
    expect(r.ok).toBe(0);
    expect(r.errors).toBe(20);
  });

  it('runs autocannon flat out and keeps exact latencies of 2xx answers', async () => {
    const { server, origin } = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[]}'));
    });
    try {
      const r = await closedLoop({ origin, path: '/', headers: { 'content-type': 'application/json' }, body: '{}' }, 4, 1);
      expect(r.ok).toBeGreaterThan(0);
      expect(r.errors).toBe(0);
      expect(r.non2xx).toBe(0);
      expect(r.latency.count).toBe(r.ok);
    } finally {
      await close(server);
    }
  });
});
