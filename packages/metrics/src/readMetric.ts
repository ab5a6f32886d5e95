import type { Registry } from 'prom-client';

/**
 * The value of a counter or gauge in `registry`, summed over the series whose labels match `labels` — for tests
 * and scenario reports that check what a server counted.
 */
export async function readMetric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) =>
      Object.entries(labels).every(([key, label]) => (v.labels as Record<string, unknown>)[key] === label),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/** The `_sum` of a histogram in `registry` (seconds, for the latency histograms). */
export async function readHistogramSum(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => (v as { metricName?: string }).metricName === `${name}_sum`)
    .reduce((sum, v) => sum + v.value, 0);
}

/** The `_count` of a histogram in `registry`: how many observations it has. */
export async function readHistogramCount(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => (v as { metricName?: string }).metricName === `${name}_count`)
    .reduce((sum, v) => sum + v.value, 0);
}
