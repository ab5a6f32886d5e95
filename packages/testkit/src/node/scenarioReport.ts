import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './benchmarkReport.js';
import { chartsHtml, type LatencyChart, type TimeChart } from './reportCharts.js';

/** One checked invariant of a scenario run. */
export interface Invariant {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * What a scenario run produced: its parameters, a table, its invariants, and its charts — the latency distribution
 * and the quantity the scenario is about over time (throughput, memory, queue).
 */
export interface ScenarioReport {
  readonly scenario: string;
  readonly params: Record<string, string | number | boolean>;
  readonly table: { readonly headers: string[]; readonly rows: Array<Array<string | number>> };
  readonly invariants: Invariant[];
  /** Latency by percentile ([percentile, ms]) per series name: the HDR plot. */
  readonly latency?: LatencyChart;
  /** Quantities over time, one chart each: deliveries/s, RSS, queued changes… */
  readonly overTime?: TimeChart[];
}

const reportsDir = fileURLToPath(new URL('../../../../scenarios/reports/', import.meta.url));
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** The report as a self-contained HTML page: parameters, invariants, the table, and the charts (uPlot, inlined). */
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
${chartsHtml(report.latency, report.overTime ?? [])}
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
