import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Values over time for one chart: `[seconds since start, value]` per series name. */
export interface TimeChart {
  readonly title: string;
  /** The unit of the values, e.g. `deliveries/s`, `MiB`, `queued changes`. */
  readonly unit: string;
  readonly series: Record<string, Array<[number, number]>>;
}

/** Latency by percentile (`[percentile, ms]`) per series name: an HDR plot. */
export type LatencyChart = Record<string, Array<[number, number]>>;

const require = createRequire(import.meta.url);
/** uPlot, read from node_modules once and inlined, so a report is one self-contained file (no CDN). */
const uplot = {
  script: () => readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
  style: () => readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
};

const COLORS = ['#58a6ff', '#3ddc97', '#f5c542', '#ff6b81', '#c084fc', '#7ee0ff'];
/** Percentiles marked on an HDR plot's axis. */
const PERCENTILE_TICKS = [0, 50, 90, 99, 99.9, 99.99];

interface ChartSpec {
  readonly title: string;
  readonly unit: string;
  /** The x axis: seconds, or percentiles drawn on the HDR scale (`-log10(1 - p/100)`). */
  readonly x: 'seconds' | 'percentile';
  readonly series: Record<string, Array<[number, number]>>;
}

/**
 * The data of every chart, aligned the way uPlot wants it (one shared x array, one y array per series, null where a
 * series has no point), plus what the page needs to draw it.
 */
function aligned(spec: ChartSpec) {
  const names = Object.keys(spec.series);
  const xs = [...new Set(Object.values(spec.series).flatMap((points) => points.map(([x]) => x)))].sort(
    (a, b) => a - b,
  );
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = names.map((name) => {
    const column: Array<number | null> = xs.map(() => null);
    for (const [x, y] of spec.series[name] ?? []) column[index.get(x) as number] = y;
    return column;
  });
  const toAxis = (x: number) => (spec.x === 'percentile' ? -Math.log10(Math.max(1e-6, 1 - x / 100)) : x);
  return {
    title: spec.title,
    unit: spec.unit,
    percentile: spec.x === 'percentile',
    names,
    colors: names.map((_, i) => COLORS[i % COLORS.length]),
    data: [xs.map(toAxis), ...ys],
  };
}

/** Draws every chart with uPlot once the page has loaded; the HDR plot labels its axis in percentiles. */
const drawScript = `
const charts = JSON.parse(document.getElementById('chart-data').textContent);
const ticks = ${JSON.stringify(PERCENTILE_TICKS)}.map((p) => [-Math.log10(Math.max(1e-6, 1 - p / 100)), 'p' + p]);
for (const chart of charts) {
  const box = document.createElement('figure');
  document.getElementById('charts').append(box);
  const x = chart.percentile
    ? { splits: () => ticks.map(([v]) => v), values: () => ticks.map(([, label]) => label), stroke: '#7d8590', grid: { stroke: '#1f242d' } }
    : { stroke: '#7d8590', grid: { stroke: '#1f242d' }, values: (u, vals) => vals.map((v) => v + ' s') };
  new uPlot({
    title: chart.title, width: 820, height: 280,
    scales: { x: { time: false } },
    axes: [x, { label: chart.unit, stroke: '#7d8590', grid: { stroke: '#1f242d' }, size: 60 }],
    series: [{ label: chart.percentile ? 'percentile' : 's', value: (u, v) => v == null ? '' : chart.percentile ? (100 * (1 - Math.pow(10, -v))).toFixed(3) : v.toFixed(1) },
      ...chart.names.map((name, i) => ({ label: name, stroke: chart.colors[i], width: 2, spanGaps: true }))],
  }, chart.data, box);
}`;

/**
 * The charts of a report as HTML: uPlot's script and style inlined, the data as JSON, and a script that draws a
 * latency distribution (HDR plot) and one chart per quantity over time.
 */
export function chartsHtml(latency: LatencyChart | undefined, overTime: readonly TimeChart[]): string {
  const specs: ChartSpec[] = [
    ...(latency === undefined
      ? []
      : [{ title: 'Latency by percentile', unit: 'ms', x: 'percentile' as const, series: latency }]),
    ...overTime.map((chart) => ({ ...chart, x: 'seconds' as const })),
  ].filter((spec) => Object.values(spec.series).some((points) => points.length > 0));
  if (specs.length === 0) return '';
  // `<` escaped so no value can close the script element.
  const data = JSON.stringify(specs.map(aligned)).replace(/</g, '\\u003c');
  return `<h2>Charts</h2><div id="charts"></div>
<style>${uplot.style()}
.uplot{font-family:system-ui,sans-serif;color:#e6edf3}.u-title{font-size:14px;font-weight:600}figure{margin:0 0 24px}</style>
<script>${uplot.script()}</script>
<script type="application/json" id="chart-data">${data}</script>
<script>${drawScript}</script>`;
}
