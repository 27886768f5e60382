/**
 * Small SVG charts for benchmark reports (grouped bars on a log scale, line curves), rendered to PNG with resvg
 * (a Rust renderer shipped inside its npm package: no browser or toolchain to download). The SVG is written next to
 * the PNG, so a chart can also be opened in a browser or diffed as text.
 */
import { writeFileSync } from 'node:fs';

export interface BarGroup {
  /** e.g. the system measured. */
  label: string;
  /** One bar per series (e.g. p50, p90, p99); null or non-positive values are left out (log scale). */
  values: Array<number | null>;
}

export interface BarPanel {
  title: string;
  groups: BarGroup[];
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** Names of the bars inside each group (the legend). */
  series: string[];
  yLabel: string;
  panels: BarPanel[];
}

export interface LineSeries {
  name: string;
  points: Array<[number, number]>;
}

export interface LinePanel {
  title: string;
  yLabel: string;
  series: LineSeries[];
}

export interface LineChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  panels: LinePanel[];
}

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
const FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const text = (x: number, y: number, s: string, attrs = ''): string => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} ${attrs}>${esc(s)}</text>`;

/** A value for an axis label: 0.123, 1.5, 12, 1.2k. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10_000) return `${(v / 1000).toFixed(0)}k`;
  if (a >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (a >= 10) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1).replace(/\.0$/, '');
  return v.toPrecision(1);
}

/** Powers of ten covering [min, max] (log axis). */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) out.push(10 ** e);
  return out;
}

/** About five round steps covering [min, max] (linear axis). */
export function linearTicks(min: number, max: number): number[] {
  if (max <= min) max = min + 1;
  const raw = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < max) out.push(out[out.length - 1]! + step);
  return out;
}

function header(width: number, height: number, title: string, subtitle?: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(20, 28, title, 'font-size="18" font-weight="bold" fill="#222"'),
    subtitle ? text(20, 48, subtitle, 'font-size="12" fill="#555"') : '',
  ];
}

function legend(names: string[], x: number, y: number): string {
  return names.map((n, i) => `<rect x="${x + i * 150}" y="${y - 10}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`
    + text(x + i * 150 + 18, y, n, 'font-size="12" fill="#333"')).join('');
}

/** Grouped bars, one panel per scenario, on a shared log scale (latencies from sub-millisecond to seconds). */
export function barChartSvg(chart: BarChart): string {
  const panelW = 460, panelH = 300, cols = Math.min(2, chart.panels.length), rows = Math.ceil(chart.panels.length / cols);
  const top = 80, left = 20, width = left * 2 + cols * panelW, height = top + rows * (panelH + 30) + 10;
  const all = chart.panels.flatMap((p) => p.groups.flatMap((g) => g.values)).filter((v): v is number => v !== null && v > 0);
  const ticks = all.length ? logTicks(Math.min(...all), Math.max(...all)) : [1, 10];
  const lo = Math.log10(ticks[0]!), hi = Math.log10(ticks[ticks.length - 1]!);
  const out = header(width, height, chart.title, chart.subtitle);
  out.push(legend(chart.series, left + 60, top - 12));
  chart.panels.forEach((panel, i) => {
    const px = left + (i % cols) * panelW, py = top + Math.floor(i / cols) * (panelH + 30);
    const plotX = px + 60, plotY = py + 24, plotW = panelW - 80, plotH = panelH - 80;
    const y = (v: number): number => plotY + plotH - ((Math.log10(v) - lo) / (hi - lo || 1)) * plotH;
    out.push(text(px + 60, py + 14, panel.title, 'font-size="14" font-weight="bold" fill="#222"'));
    for (const t of ticks) {
      out.push(`<line x1="${plotX}" x2="${plotX + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
      out.push(text(plotX - 6, y(t) + 4, formatTick(t), 'font-size="11" fill="#555" text-anchor="end"'));
    }
    out.push(text(px + 14, plotY + plotH / 2, chart.yLabel, `font-size="11" fill="#555" text-anchor="middle" transform="rotate(-90 ${px + 14} ${plotY + plotH / 2})"`));
    const groupW = plotW / Math.max(1, panel.groups.length);
    const barW = Math.min(28, (groupW * 0.8) / Math.max(1, chart.series.length));
    panel.groups.forEach((g, gi) => {
      const gx = plotX + gi * groupW + (groupW - barW * chart.series.length) / 2;
      g.values.forEach((v, si) => {
        if (v === null || !(v > 0)) return;
        const by = y(v);
        out.push(`<rect x="${(gx + si * barW).toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(plotY + plotH - by).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"/>`);
      });
      // Long labels break after a comma, so neighbouring groups' labels never overlap.
      g.label.split(/,\s*/).forEach((part, li, parts) => out.push(text(plotX + gi * groupW + groupW / 2, plotY + plotH + 16 + li * 13,
        part + (li < parts.length - 1 ? ',' : ''), 'font-size="11" fill="#333" text-anchor="middle"')));
    });
    out.push(`<line x1="${plotX}" x2="${plotX + plotW}" y1="${plotY + plotH}" y2="${plotY + plotH}" stroke="#888"/>`);
  });
  out.push('</svg>');
  return out.filter(Boolean).join('\n');
}

/** Curves over a shared x axis, one panel per measure, stacked vertically. */
export function lineChartSvg(chart: LineChart): string {
  const panelW = 900, panelH = 190, top = 70, left = 20;
  const width = left * 2 + panelW, height = top + chart.panels.length * (panelH + 20) + 30;
  const xs = chart.panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)));
  const xTicks = linearTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1);
  const x0 = xTicks[0]!, x1 = xTicks[xTicks.length - 1]!;
  const out = header(width, height, chart.title, chart.subtitle);
  chart.panels.forEach((panel, i) => {
    const py = top + i * (panelH + 20);
    const plotX = left + 70, plotY = py + 22, plotW = panelW - 220, plotH = panelH - 50;
    const ys = panel.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
    const yTicks = linearTicks(Math.min(0, ...ys), ys.length ? Math.max(...ys) : 1);
    const ylo = yTicks[0]!, yhi = yTicks[yTicks.length - 1]!;
    const sx = (v: number): number => plotX + ((v - x0) / (x1 - x0 || 1)) * plotW;
    const sy = (v: number): number => plotY + plotH - ((v - ylo) / (yhi - ylo || 1)) * plotH;
    out.push(text(plotX, py + 14, `${panel.title} (${panel.yLabel})`, 'font-size="13" font-weight="bold" fill="#222"'));
    for (const t of yTicks) {
      out.push(`<line x1="${plotX}" x2="${plotX + plotW}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e4e4e4"/>`);
      out.push(text(plotX - 6, sy(t) + 4, formatTick(t), 'font-size="10" fill="#555" text-anchor="end"'));
    }
    for (const t of xTicks) out.push(text(sx(t), plotY + plotH + 14, formatTick(t), 'font-size="10" fill="#555" text-anchor="middle"'));
    panel.series.forEach((s, si) => {
      const pts = s.points.filter(([, v]) => Number.isFinite(v)).map(([x, v]) => `${sx(x).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
      if (pts) out.push(`<polyline points="${pts}" fill="none" stroke="${COLORS[si % COLORS.length]}" stroke-width="2"/>`);
      out.push(`<rect x="${plotX + plotW + 16}" y="${plotY + si * 18}" width="12" height="3" fill="${COLORS[si % COLORS.length]}"/>`);
      out.push(text(plotX + plotW + 34, plotY + si * 18 + 5, s.name, 'font-size="11" fill="#333"'));
    });
    out.push(`<line x1="${plotX}" x2="${plotX + plotW}" y1="${plotY + plotH}" y2="${plotY + plotH}" stroke="#888"/>`);
  });
  out.push(text(left + 70 + (panelW - 220) / 2, height - 8, chart.xLabel, 'font-size="11" fill="#555" text-anchor="middle"'));
  out.push('</svg>');
  return out.filter(Boolean).join('\n');
}

/** Writes `<file>.svg` beside `file` and renders the PNG; returns the files written. */
export function writeChart(svg: string, pngFile: string): { png: string; svg: string } {
  const svgFile = pngFile.replace(/\.png$/, '') + '.svg';
  writeFileSync(svgFile, svg);
  // Loaded on use: only the commands that draw charts need the native renderer.
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render().asPng();
  writeFileSync(pngFile, png);
  return { png: pngFile, svg: svgFile };
}
