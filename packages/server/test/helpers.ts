import { readHistogramSum, readMetric, StreamMetrics } from '@twohop/metrics';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { keyedChecksum } from '@twohop/testkit';
import { StreamCatalog, type AnySource } from '../src/index.js';

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

export function catalogOf(...sources: AnySource[]): StreamCatalog {
  const catalog = new StreamCatalog();
  for (const source of sources) catalog.add(source);
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

export { waitFor } from '@twohop/testkit';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const sameState = (a: Map<string, unknown>, b: Map<string, unknown>) =>
  a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);

export const newMetrics = () => new StreamMetrics({ processMetrics: false });

/** The value of a counter in a registry, summed over labels that match. */
export const counterValue = (metrics: StreamMetrics, name: string, labels: Record<string, string> = {}) =>
  readMetric(metrics.registry, name, labels);

/** The `_sum` of a histogram in a registry (seconds, for the latency histograms). */
export const histogramSum = (metrics: StreamMetrics, name: string) =>
  readHistogramSum(metrics.registry, name);
