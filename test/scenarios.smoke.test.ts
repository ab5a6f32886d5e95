import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '@twohop/scenarios';
import type { ScenarioReport } from '@twohop/testkit/node';

const root = fileURLToPath(new URL('..', import.meta.url));

// Every scenario `pnpm scenario` lists runs here at its --smoke size: the real app, real clients, real faults,
// checked by the scenario's own invariants (timing and memory invariants apply to full runs only, never in this
// suite). The randomized ones get a fixed seed, which they print; the rest take no extra argument.
const seeds: Record<string, string> = {
  'orderbook:gaps': '7',
  'orderbook:hostile': '3',
  'chat:reconnect-storm': '11',
  'chat:flood': '5',
  'chat:hostile': '7',
  simulation: '5',
  'auction:race': '29',
  'auction:sniping': '13',
  'iot:gaps': '7',
  'iot:fleet': '7',
  'iot:dashboards': '7',
  'cluster:failover': '1',
  'cluster:redis-restart': '1',
  'cluster:hop2-cost': '1',
};
const scenarios = listScenarios().map(({ name, path }): [string, string, string[]] => [
  name,
  path,
  ['--smoke', ...(seeds[name] === undefined ? [] : ['--seed', seeds[name]])],
]);

/** A chart as the report page draws it (see @twohop/testkit/node's reportCharts). */
interface EmbeddedChart {
  title: string;
  percentile: boolean;
  names: string[];
  data: Array<Array<number | null>>;
}

/** The charts embedded in a report page, read back from its JSON data block. */
function embeddedCharts(html: string): EmbeddedChart[] {
  const block = /<script type="application\/json" id="chart-data">([\s\S]*?)<\/script>/.exec(html);
  return block === null ? [] : (JSON.parse(block[1]!) as EmbeddedChart[]);
}

/** The number of points of a chart's fullest series. */
const pointsOf = (chart: EmbeddedChart) =>
  Math.max(0, ...chart.data.slice(1).map((column) => column.filter((y) => y !== null).length));

it('covers every scenario pnpm scenario lists', () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(12);
});

describe.each(scenarios)('scenario %s --smoke', (scenario, path, args) => {
  it('exits 0 and writes a JSON and an HTML report whose invariants all hold, with its charts', () => {
    // Reports are named `<app>-<name>`, wherever the scenario lives.
    const file = scenario.replace(':', '-');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path, ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(
      readFileSync(`${root}scenarios/reports/${file}.json`, 'utf8'),
    ) as ScenarioReport;
    expect(report.scenario).toBe(file);
    expect(report.invariants.length).toBeGreaterThan(0);
    for (const invariant of report.invariants)
      expect(invariant.ok, `${invariant.name}: ${invariant.detail}`).toBe(true);
    const html = readFileSync(`${root}scenarios/reports/${file}.html`, 'utf8');
    expect(html).toContain('<h2>Invariants</h2>');
    // Its latency distribution (an HDR plot) and the quantity it is about over time, drawn by uPlot from data
    // embedded in the page: each chart has a series with points in it.
    const charts = embeddedCharts(html);
    const distribution = charts.filter((chart) => chart.percentile);
    const overTime = charts.filter((chart) => !chart.percentile);
    expect(distribution.length, 'a latency distribution chart').toBeGreaterThan(0);
    expect(Math.max(...distribution.map(pointsOf)), 'points in the distribution').toBeGreaterThanOrEqual(4);
    expect(overTime.length, 'a chart over time').toBeGreaterThan(0);
    expect(Math.max(...overTime.map(pointsOf)), 'points over time').toBeGreaterThanOrEqual(2);
    expect(html).toContain('new uPlot(');
  }, 120_000);
});
