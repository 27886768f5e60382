import { judge, slope, trend, type SoakSample } from './analysis';
import { parseSoakOptions } from './options';
import { soakChart } from './report';

function sample(t: number, heap: number, handles = 20): SoakSample {
  return {
    t, rssMiB: 150 + heap, heapUsedMiB: heap, heapTotalMiB: heap * 1.5, externalMiB: 3, afterGc: true,
    activeResources: handles, sockets: handles - 5, eventLoopDelayP50Ms: 10.2, eventLoopDelayP99Ms: 12,
    rps: 500, errors: 0, non2xx: 0, latencyP50Ms: 1.2, latencyP99Ms: 4, cpuPct: 60, cpuWaitPct: 5, loadAverage1m: 1.5,
  };
}

describe('soak analysis', () => {
  it('fits a least-squares slope', () => {
    expect(slope([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2, 10);
    expect(slope([[0, 1]])).toBe(0);
    expect(slope([[1, 1], [1, 2]])).toBe(0);
  });

  it('reports the trend per minute and the change between first and last third', () => {
    const samples = Array.from({ length: 9 }, (_, i) => sample(i * 60, 40 + i));
    const t = trend(samples, (s) => s.heapUsedMiB)!;
    expect(t.perMinute).toBeCloseTo(1, 10);
    expect(t.first).toBe(41);
    expect(t.last).toBe(47);
    expect(t.change).toBe(6);
    expect(trend(samples.slice(0, 2), (s) => s.heapUsedMiB)).toBeNull();
  });

  const idle = (before: number, after: number) => ({ before: { heapMiB: 40, handles: before }, after: { heapMiB: 41, handles: after } });

  it('calls a flat heap with noise stable, ignoring warm-up growth', () => {
    const noise = [0.3, -0.2, 0.1, -0.4, 0.2, 0, -0.1, 0.3, -0.3, 0.1, 0, 0.2];
    const samples = [sample(10, 20), sample(20, 30), ...noise.map((n, i) => sample(30 + i * 10, 40 + n))];
    const v = judge(samples, 30, 500, idle(20, 21));
    expect(v).toMatchObject({ outcome: 'stable', samplesAfterWarmup: 12, samplesJudged: 12, reasons: [] });
  });

  it('calls a steadily growing heap growing, naming why', () => {
    const leaking = Array.from({ length: 12 }, (_, i) => sample(i * 10, 40 + i * 0.5));
    const v = judge(leaking, 0, 500, null);
    expect(v.outcome).toBe('growing');
    expect(v.reasons.join()).toMatch(/heap grows 3\.00 MiB\/min/);
  });

  it('judges handles on the idle readings, not on the curve under load (which follows requests in flight)', () => {
    const wobble = Array.from({ length: 12 }, (_, i) => sample(i * 10, 40, 100 + 10 * i));
    expect(judge(wobble, 0, 500, idle(20, 22)).outcome).toBe('stable');
    const v = judge(wobble, 0, 500, idle(20, 60));
    expect(v.outcome).toBe('growing');
    expect(v.reasons.join()).toMatch(/idle handles 20 before the load, 60 after it/);
  });

  it('leaves out windows in which the gateway fell behind', () => {
    const flat = Array.from({ length: 9 }, (_, i) => sample(i * 10, 40));
    // a backlog: errors, a catch-up above the offered rate, a latency spike — each with a swollen heap
    flat.push({ ...sample(90, 60), errors: 300 }, { ...sample(100, 60), rps: 600 }, { ...sample(110, 60), latencyP99Ms: 4000 });
    const v = judge(flat, 0, 500, idle(20, 20));
    expect(v).toMatchObject({ outcome: 'stable', samplesAfterWarmup: 12, samplesJudged: 9 });
    expect(v.reasons.join()).toMatch(/3 of 12 windows after warm-up not judged/);
  });

  it('is undetermined with too few steady windows, and notes a heap read without GC', () => {
    const busy = Array.from({ length: 6 }, (_, i) => ({ ...sample(i * 10, 40), errors: i < 4 ? 5 : 0 }));
    expect(judge(busy, 0, 500, null)).toMatchObject({ outcome: 'undetermined', reasons: [expect.stringMatching(/too few steady windows/), expect.any(String)] });
    const raw = Array.from({ length: 6 }, (_, i) => ({ ...sample(i * 10, 40), afterGc: false }));
    const v = judge(raw, 0, 500, null);
    expect(v.outcome).toBe('stable');
    expect(v.reasons.join()).toMatch(/without a forced GC/);
  });
});

describe('soak options and chart', () => {
  it('defaults to 10 minutes at 500 req/s with a bounded warm-up', () => {
    const o = parseSoakOptions([], new Date('2025-01-02T03:04:05Z'))!;
    expect(o).toMatchObject({ minutes: 10, rate: 500, connections: 64, intervalS: 10, warmupS: 120, mode: 'json', gc: true, jsonFile: null });
    expect(o.chartFile).toMatch(/test\/bench\/results\/soak-20250102-030405\.png$/);
    expect(parseSoakOptions(['--minutes', '3'])!.warmupS).toBe(36);
    expect(parseSoakOptions(['--minutes', '3', '--rate', '200', '--warmup', '0', '--no-gc', '--mode', 'stream'])).toMatchObject({ minutes: 3, rate: 200, warmupS: 0, gc: false, mode: 'stream' });
    expect(parseSoakOptions(['--help'])).toBeNull();
    expect(() => parseSoakOptions(['--rate', '0'])).toThrow(/--rate must be a positive number/);
    expect(() => parseSoakOptions(['--mode', 'xml'])).toThrow(/--mode must be json or stream/);
  });

  it('charts every measure over time, leaving out missing readings', () => {
    const samples = [{ ...sample(10, 40), eventLoopDelayP99Ms: null }, sample(20, 41)];
    const chart = soakChart(samples, 't', 's');
    expect(chart.panels.map((p) => p.title)).toEqual(['Memory', 'Active handles and requests', 'Event-loop delay', 'Throughput and errors', 'Latency from the scheduled send time', 'Gateway CPU (100 = one core) and time waiting for a CPU']);
    expect(chart.panels[2]!.series[1]!.points).toEqual([[20, 12]]);
  });
});
