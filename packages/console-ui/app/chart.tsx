import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricPoint } from './api.js';

type Columns = [number[], (number | null)[], (number | null)[], number[], number[]];

function columns(points: readonly MetricPoint[]): Columns {
  return [
    points.map((p) => p.t / 1000),
    points.map((p) => p.cpu),
    points.map((p) => p.memory),
    points.map((p) => p.desired),
    points.map((p) => p.running),
  ];
}

/** A service's CPU and memory (percent of what it reserves) and its desired/running counts over time. */
export function ServiceChart(props: { points: readonly MetricPoint[] }) {
  // A line needs two points; the first samples arrive within one sampling interval.
  if (props.points.length < 2) return <p class="chart-empty muted">Collecting CPU and memory samples…</p>;
  return <Plot points={props.points} />;
}

function Plot(props: { points: readonly MetricPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#aab' : '#556', grid: { stroke: dark ? '#2a2f3a' : '#e6e8ee' } };
    const u = new uPlot(
      {
        width: el.clientWidth || 300,
        height: 140,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // At least the last minute, so a young service's few points do not stretch over years.
          x: { time: true, range: (_u, min, max) => [Math.min(min ?? 0, (max ?? 0) - 60), max ?? 0] },
          pct: { range: (_u, _min, max) => [0, Math.max(100, max ?? 0)] },
          n: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) + 1)] },
        },
        axes: [
          {
            ...axis,
            space: 70,
            values: (_u, v) =>
              v.map((s) =>
                new Date(s * 1000).toLocaleTimeString([], {
                  hour: '2-digit',
                  minute: '2-digit',
                  second: '2-digit',
                }),
              ),
          },
          { ...axis, scale: 'pct', values: (_u, v) => v.map((x) => `${x}%`), size: 52 },
          { ...axis, scale: 'n', side: 1, grid: { show: false }, size: 30 },
        ],
        series: [
          {},
          { label: 'CPU', scale: 'pct', stroke: '#3b82f6', width: 2 },
          { label: 'Memory', scale: 'pct', stroke: '#a855f7', width: 2 },
          {
            label: 'Desired',
            scale: 'n',
            stroke: '#f59e0b',
            width: 2,
            // Dashed, so it shows where it runs level with the running count.
            dash: [6, 4],
            paths: uPlot.paths.stepped?.({ align: 1 }),
          },
          {
            label: 'Running',
            scale: 'n',
            stroke: '#10b981',
            width: 1.5,
            paths: uPlot.paths.stepped?.({ align: 1 }),
          },
        ],
      },
      columns(props.points),
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: 140 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    plot.current?.setData(columns(props.points));
  }, [props.points]);
  return <div class="chart" ref={box} role="img" aria-label="CPU, memory and task counts over time" />;
}
