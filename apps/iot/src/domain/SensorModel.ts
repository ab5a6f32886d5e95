import { METRICS, type MetricName } from './site.js';

/** Options for {@link SensorModel}. */
export interface SensorModelOptions {
  /** What the sensor measures. */
  readonly metrics: readonly MetricName[];
  /** A random source in `[0, 1)` — seeded, so a fleet is the same run after run. */
  readonly random: () => number;
}

/**
 * One simulated sensor's values: each metric starts somewhere in its healthy range and takes a small random step
 * on every reading, reflected at the range's edges, so values stay plausible for hours. A sensor "running hot" adds
 * an offset that grows by a fixed amount per second until it is cooled. Pure: randomness injected, time passed in.
 */
export class SensorModel {
  readonly metrics: readonly MetricName[];
  readonly #random: () => number;
  readonly #base = new Map<MetricName, number>();
  readonly #heat = new Map<MetricName, { perSecond: number; offset: number }>();

  constructor(options: SensorModelOptions) {
    this.metrics = options.metrics;
    this.#random = options.random;
    for (const metric of this.metrics) {
      const { min, max } = METRICS[metric];
      this.#base.set(metric, round(metric, min + (max - min) * (0.25 + 0.5 * this.#random())));
    }
  }

  /** The current value of every metric. */
  values(): Record<MetricName, number> {
    const out = {} as Record<MetricName, number>;
    for (const metric of this.metrics) out[metric] = this.#value(metric);
    return out;
  }

  /** Moves every metric one step, `elapsedMs` after the last; returns the metrics whose value changed. */
  step(elapsedMs: number): MetricName[] {
    const changed: MetricName[] = [];
    for (const metric of this.metrics) {
      const before = this.#value(metric);
      const { min, max } = METRICS[metric];
      const span = max - min;
      let next = (this.#base.get(metric) ?? min) + (this.#random() - 0.5) * span * 0.02;
      // Reflect at the healthy range's edges.
      if (next < min) next = 2 * min - next;
      if (next > max) next = 2 * max - next;
      this.#base.set(metric, round(metric, next));
      const heat = this.#heat.get(metric);
      if (heat !== undefined) heat.offset += (heat.perSecond * elapsedMs) / 1000;
      if (this.#value(metric) !== before) changed.push(metric);
    }
    return changed;
  }

  /** Runs `metric` hot: its value drifts by `perSecond` every second, away from the healthy range. */
  heat(metric: MetricName, perSecond: number): void {
    if (!this.metrics.includes(metric)) return;
    this.#heat.set(metric, { perSecond, offset: this.#heat.get(metric)?.offset ?? 0 });
  }

  /** Ends every `heat`: values return to the healthy walk at once. */
  cool(): void {
    this.#heat.clear();
  }

  #value(metric: MetricName): number {
    return round(metric, (this.#base.get(metric) ?? 0) + (this.#heat.get(metric)?.offset ?? 0));
  }
}

/** Two decimals for measurements, whole numbers for counts. */
function round(metric: MetricName, value: number): number {
  return METRICS[metric].integer ? Math.round(value) : Math.round(value * 100) / 100;
}
