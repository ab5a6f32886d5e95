import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './benchmarkReport.js';

/** One checked invariant of a scenario run. */
export interface Invariant {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a scenario run produced: its parameters, a table, its invariants, and optional charts. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly params: Record<string, string | number | boolean>;
  readonly table: { readonly headers: string[]; readonly rows: Array<Array<string | number>> };
  readonly invariants: Invariant[];
  /** Latency by percentile ([percentile, ms]) per series name: the HDR plot. */
  readonly latency?: Record<string, Array<[number, number]>>;
  /** Values over time ([seconds since start, value]) per series name, e.g. deliveries/s. */
  readonly series?: Record<string, Array<[number, number]>>;
  /** The unit of `series` values. */
  readonly seriesUnit?: string;
}

const reportsDir = fileURLToPath(new URL('../../../scenarios/reports/', import.meta.url));
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#58a6ff', '#3ddc97', '#f5c542', '#ff6b81', '#c084fc'];

/** A line chart as inline SVG: one polyline per series, with axis labels at the extremes. */
function lineChart(
  title: string,
  series: Record<string, Array<[number, number]>>,
  xLabel: string,
  yUnit: string,
  xLog = false,
): string {
  const W = 640;
  const H = 240;
  const pad = 44;
  const all = Object.values(series).flat();
  if (all.length === 0) return '';
  const xOf = (x: number) => (xLog ? -Math.log10(Math.max(1e-6, 1 - x / 100)) : x);
  const xs = all.map(([x]) => xOf(x));
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  const y1 = Math.max(...ys) || 1;
  const px = (x: number) => pad + ((xOf(x) - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const py = (y: number) => H - pad + 8 - (y / y1) * (H - 2 * pad);
  const lines = Object.entries(series)
    .map(([name, points], i) => {
      const color = COLORS[i % COLORS.length] as string;
      const path = points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/><text x="${W - pad}" y="${18 + i * 16}" fill="${color}" text-anchor="end" font-size="12">${escape(name)}</text>`;
    })
    .join('');
  const xTicks = xLog
    ? [50, 90, 99, 99.9, 99.99]
        .map(
          (p) =>
            `<text x="${px(p)}" y="${H - 10}" font-size="11" fill="#7d8590" text-anchor="middle">p${p}</text>`,
        )
        .join('')
    : `<text x="${pad}" y="${H - 10}" font-size="11" fill="#7d8590">${x0}</text><text x="${W - pad}" y="${H - 10}" font-size="11" fill="#7d8590" text-anchor="end">${x1.toFixed(0)} ${escape(xLabel)}</text>`;
  return `<h2>${escape(title)}</h2><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">
<rect x="0" y="0" width="${W}" height="${H}" fill="#0d1117" rx="6"/>
<line x1="${pad}" y1="${H - pad + 8}" x2="${W - pad}" y2="${H - pad + 8}" stroke="#30363d"/>
<text x="6" y="${pad - 10}" font-size="11" fill="#7d8590">${y1.toFixed(1)} ${escape(yUnit)}</text>${xTicks}${lines}</svg>`;
}

/** The report as a self-contained HTML page: parameters, invariants, the table, and the charts as inline SVG. */
export function reportHtml(report: ScenarioReport, when: string): string {
  const params = Object.entries(report.params)
    .map(([k, v]) => `<code>--${escape(k)} ${escape(String(v))}</code>`)
    .join(' ');
  const invariants = report.invariants
    .map(
      (i) =>
        `<li class="${i.ok ? 'ok' : 'bad'}">${i.ok ? '✔' : '✘'} ${escape(i.name)} — ${escape(i.detail)}</li>`,
    )
    .join('');
  const table = `<table><tr>${report.table.headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>${report.table.rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(String(cell))}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(report.scenario)} · twohop scenario</title>
<style>body{font-family:system-ui,sans-serif;background:#0b0e14;color:#e6edf3;padding:32px;max-width:900px}
h1{margin:0 0 4px}h2{font-size:14px;text-transform:uppercase;letter-spacing:.08em;color:#7d8590;margin:28px 0 10px}
.meta{color:#7d8590;font-size:13px}code{background:#161b22;padding:2px 6px;border-radius:4px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:6px 12px;border-bottom:1px solid #1f242d;text-align:right}
th:first-child,td:first-child{text-align:left}.ok{color:#3ddc97}.bad{color:#ff6b81}ul{list-style:none;padding:0}</style></head><body>
<h1>${escape(report.scenario)}</h1><p class="meta">${escape(when)} · ${escape(machine())}</p><p>${params}</p>
<h2>Invariants</h2><ul>${invariants}</ul><h2>Results</h2>${table}
${report.latency === undefined ? '' : lineChart('Latency by percentile', report.latency, '', 'ms', true)}
${report.series === undefined ? '' : lineChart('Over time', report.series, 's', report.seriesUnit ?? '')}
</body></html>`;
}

/**
 * Writes the report as `scenarios/reports/<scenario>.json` and `.html` (the latest run of each scenario), prints
 * the table and the invariants, and returns whether every invariant held — the scenario's exit code.
 */
export function writeScenarioReport(report: ScenarioReport): boolean {
  const when = new Date().toISOString();
  const base = `${reportsDir}${report.scenario.replace(/[^a-z0-9-]+/gi, '-')}`;
  mkdirSync(reportsDir, { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify({ ...report, when, machine: machine() }, null, 2)}\n`);
  writeFileSync(`${base}.html`, reportHtml(report, when));
  for (const invariant of report.invariants) {
    console.log(`${invariant.ok ? 'ok  ' : 'FAIL'} ${invariant.name}: ${invariant.detail}`);
  }
  console.log(`report: ${base}.json, ${base}.html`);
  return report.invariants.every((invariant) => invariant.ok);
}
