import { StreamMetrics } from '@twohop/metrics';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { keyedChecksum } from '@twohop/testkit';
import { StreamCatalog, type AnyPublisher } from '../src/index.js';

/** A keyed stream like an order book's levels, with a checksum over its state. */
export function levelsPublisher(stream = 'book:TEST', historyCapacity = 1024, epoch?: string) {
  return new StreamPublisher({
    stream,
    model: keyedState<number>(),
    historyCapacity,
    checksum: keyedChecksum,
    ...(epoch === undefined ? {} : { sequencer: { epoch } }),
  });
}

export function catalogOf(...publishers: AnyPublisher[]): StreamCatalog {
  const catalog = new StreamCatalog();
  for (const publisher of publishers) catalog.add(publisher);
  return catalog;
}

/** Publishes `count` single-key changes over `keys` keys. */
export function publishChanges(
  publisher: ReturnType<typeof levelsPublisher>,
  count: number,
  keys = 20,
  start = 0,
) {
  for (let i = start; i < start + count; i++)
    publisher.publish([{ op: 'set', key: `k${i % keys}`, value: i }]);
}

/** Polls `condition` every 10 ms until it holds, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const sameState = (a: Map<string, unknown>, b: Map<string, unknown>) =>
  a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);

export const newMetrics = () => new StreamMetrics({ processMetrics: false });

/** The value of a counter in a registry, summed over labels that match. */
export async function counterValue(
  metrics: StreamMetrics,
  name: string,
  labels: Record<string, string> = {},
) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

/** The `_sum` of a histogram in a registry (seconds, for the latency histograms). */
export async function histogramSum(metrics: StreamMetrics, name: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => (v as { metricName?: string }).metricName === `${name}_sum`)
    .reduce((sum, v) => sum + v.value, 0);
}
