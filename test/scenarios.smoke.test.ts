import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findScenario } from '@twohop/scenarios';
import type { ScenarioReport } from '@twohop/testkit/node';

const root = fileURLToPath(new URL('..', import.meta.url));

// Every scenario with a report runs here at its --smoke size: the real app, real clients, real faults, checked by
// the scenario's own invariants (timing and memory invariants apply to full runs only, never in this suite).
// The randomized ones (gaps, reconnect-storm, flood) get a fixed seed, which they print.
const scenarios: Array<[string, string[]]> = [
  ['orderbook:fanout', []],
  ['orderbook:gaps', ['--seed', '7']],
  ['orderbook:slow-consumer', []],
  ['orderbook:hostile', ['--seed', '3']],
  ['orderbook:hop2-cost', []],
  ['chat:reconnect-storm', ['--seed', '11']],
  ['chat:flood', ['--seed', '5']],
  ['chat:large-room', []],
  ['chat:busy-room', []],
  ['chat:hostile', ['--seed', '7']],
  ['iot:gaps', ['--seed', '7']],
  ['iot:fleet', ['--seed', '7']],
  ['iot:dashboards', ['--seed', '7']],
  ['iot:brokers', []],
  ['auction:race', ['--seed', '29']],
];

describe.each(scenarios)('scenario %s --smoke', (scenario, extra) => {
  it('exits 0 and writes a JSON and an HTML report whose invariants all hold', () => {
    // Reports are named `<app>-<name>`, wherever the scenario lives.
    const file = scenario.replace(':', '-');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', findScenario(scenario)!.path, '--smoke', ...extra],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(
      readFileSync(`${root}scenarios/reports/${file}.json`, 'utf8'),
    ) as ScenarioReport;
    expect(report.scenario).toBe(file);
    expect(report.invariants.length).toBeGreaterThan(0);
    for (const invariant of report.invariants)
      expect(invariant.ok, `${invariant.name}: ${invariant.detail}`).toBe(true);
    expect(readFileSync(`${root}scenarios/reports/${file}.html`, 'utf8')).toContain('<h2>Invariants</h2>');
  }, 120_000);
});
