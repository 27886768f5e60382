import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A bar chart (uPlot on a canvas) of labelled values. The canvas is hidden from assistive
 * technology: the figure's caption summarises it and pages show the same numbers in a table.
 */
export function BarChart(props: { title: string; labels: string[]; values: number[]; format?: (v: number) => string; axisFormat?: (v: number) => string; height?: number; total?: boolean }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const format = props.format ?? ((v: number) => String(v));
  const axisFormat = props.axisFormat ?? format;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const xs = props.labels.map((_, i) => i);
    const bars = uPlot.paths.bars!({ size: [0.6, 80], align: 0 });
    const width = Math.max(320, Math.min(el.clientWidth || 640, 900));
    const chart = new uPlot({
      width, height: props.height ?? 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? (props.labels[s] ?? '') : '')), splits: () => xs, gap: 6, size: 40 },
        { values: (_u, splits) => splits.map((v) => axisFormat(v)), size: 84 },
      ],
      series: [{}, { label: props.title, paths: bars, points: { show: false }, fill: 'rgba(37, 99, 235, 0.75)', stroke: 'rgb(29, 78, 216)' }],
    }, [xs, props.values], el);
    return () => chart.destroy();
  }, [props.labels.join('\u0000'), props.values.join(','), props.title]);
  const total = props.values.reduce((a, b) => a + b, 0);
  const top = props.labels.map((l, i) => [l, props.values[i]] as const).sort((a, b) => b[1] - a[1])[0];
  return (
    <figure class="chart">
      <figcaption>{props.title}{props.labels.length > 0 && top ? ` — ${props.total === false ? '' : `total ${format(total)}; `}largest: ${top[0]} (${format(top[1])})` : ' — no data'}</figcaption>
      <div ref={host} aria-hidden="true" />
    </figure>
  );
}
