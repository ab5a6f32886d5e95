import { discoverApps } from '@twohop/app-kit';
import type { LatencyRecorder } from '@twohop/metrics';
import type { Invariant, LatencyChart, TimeChart } from '@twohop/testkit/node';
import { awaitingAdapter, clusterAdapters } from '../../test/conformance/cluster/registry.js';
import type { AppLoad } from './clusterLoad.js';

/** `12.3`: milliseconds for a table. */
export const fixed = (ms: number) => ms.toFixed(1);

/**
 * The invariant that the run covers every app with a cluster plan (each needs its adapter in the registry), apart
 * from those the registry lists as awaiting theirs, which it names.
 */
export function coverage(): Invariant {
  const planned = discoverApps(new URL('../../apps/', import.meta.url))
    .filter((app) => app.cluster !== undefined)
    .map((app) => app.name)
    .sort();
  const covered = clusterAdapters.map((adapter) => adapter.app).sort();
  const known = [...covered, ...awaitingAdapter].sort();
  return {
    name: 'every app with a cluster plan is covered (or named as awaiting its adapter)',
    ok: JSON.stringify(planned) === JSON.stringify(known),
    detail: `planned: ${planned.join(', ')}; covered: ${covered.join(', ')}; no adapter yet: ${awaitingAdapter.join(', ') || 'none'}`,
  };
}

/** Delivery latency per app (the server's time of a change to its arrival), and each extra recorder by name. */
export function latencyCharts(
  loads: readonly AppLoad[],
  extra: ReadonlyMap<string, LatencyRecorder> = new Map(),
  suffix = 'delivery',
): LatencyChart {
  const chart: LatencyChart = {};
  for (const load of loads)
    if (load.latency.count > 0) chart[`${load.app.adapter.app} ${suffix}`] = load.latency.distribution();
  for (const [name, recorder] of extra)
    if (recorder.count > 0) chart[`${name} recover`] = recorder.distribution();
  return chart;
}

/** Deliveries per second to every client of each app, over the run. */
export function perSecondChart(
  loads: readonly AppLoad[],
  title = 'Deliveries per second, by app',
): TimeChart {
  return {
    title,
    unit: 'deliveries/s',
    series: Object.fromEntries(loads.map((load) => [load.app.adapter.app, load.deliveries.points()])),
  };
}

/** A markdown table of `headers` and `rows`. */
export function markdownTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
) {
  return [
    `| ${headers.join(' | ')} |`,
    `|---|${headers
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}
