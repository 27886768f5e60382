import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { barChartSvg, formatTick, lineChartSvg, linearTicks, logTicks, readOwnStats, writeChart } from './index';

describe('chart axes', () => {
  it('covers a log range with powers of ten', () => {
    expect(logTicks(0.3, 4200)).toEqual([0.1, 1, 10, 100, 1000, 10_000]);
    expect(logTicks(1, 1)).toEqual([1]);
  });

  it('covers a linear range with round steps, ending at or above the maximum', () => {
    const t = linearTicks(0, 93);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(93);
    const steps = new Set(t.slice(1).map((v, i) => Number((v - t[i]!).toPrecision(6))));
    expect(steps.size).toBe(1);
    expect(linearTicks(5, 5).length).toBeGreaterThan(1);
  });

  it('formats tick labels compactly', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(0.05)).toBe('0.05');
    expect(formatTick(1)).toBe('1');
    expect(formatTick(2.5)).toBe('2.5');
    expect(formatTick(250)).toBe('250');
    expect(formatTick(1000)).toBe('1k');
    expect(formatTick(1500)).toBe('1.5k');
    expect(formatTick(20_000)).toBe('20k');
  });
});

describe('charts', () => {
  it('draws one bar per positive value, escapes text, and skips missing values', () => {
    const svg = barChartSvg({
      title: 'A & B <test>', series: ['p50', 'p99'], yLabel: 'ms',
      panels: [{ title: 'one', groups: [{ label: 'x, y', values: [1, 10] }, { label: 'z', values: [null, 0.5] }] }],
    });
    expect(svg).toContain('A &amp; B &lt;test&gt;');
    // bars (not the legend's swatches): three positive values
    expect(svg.match(/<rect x="\d+\.\d" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#(4e79a7|f28e2b)"\/>/g)).toHaveLength(3);
    expect(svg).toContain('>x,</text>');
    expect(svg).toContain('>y</text>');
  });

  it('draws a polyline per series and renders a PNG with its SVG beside it', () => {
    const svg = lineChartSvg({
      title: 'soak', xLabel: 's',
      panels: [{ title: 'memory', yLabel: 'MiB', series: [{ name: 'rss', points: [[0, 100], [10, 101], [20, 100.5]] }, { name: 'empty', points: [] }] }],
    });
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chart-test-'));
    const out = writeChart(svg, path.join(dir, 'c.png'));
    expect(readFileSync(out.png).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(readFileSync(out.svg, 'utf8')).toBe(svg);
  });
});

describe('child stats', () => {
  it('reads memory and handles, and event-loop delay from the second reading on', async () => {
    const first = readOwnStats(false);
    expect(first.rssBytes).toBeGreaterThan(0);
    expect(first.heapUsedBytes).toBeGreaterThan(0);
    expect(first.afterGc).toBe(false);
    expect(first.activeResources).toBe(Object.values(first.resourcesByKind).reduce((a, b) => a + b, 0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = readOwnStats(true);
    expect(second.eventLoopDelayMs).not.toBeNull();
    // jest runs without --expose-gc: asking for a GC must not pretend one ran
    expect(second.afterGc).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');
  });
});
