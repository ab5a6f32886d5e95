import * as hdr from 'hdr-histogram-js';

/** Percentiles of recorded latencies, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * Records latencies in an HDR histogram (hdr-histogram-js): constant memory, 3 significant digits at any
 * magnitude, exact percentiles for benchmark and scenario reports. Values are kept in microseconds.
 */
export class LatencyRecorder {
  readonly #histogram: hdr.Histogram;

  /** @param maxMs the largest latency kept exactly; larger ones are clamped to it. @default 60000 */
  constructor(readonly maxMs = 60_000) {
    this.#histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: Math.ceil(maxMs * 1000),
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    });
  }

  /** Records one latency in milliseconds (negative values, from clock skew, count as 0). */
  record(ms: number): void {
    const micros = Math.min(Math.max(0, Math.round(ms * 1000)), this.maxMs * 1000);
    this.#histogram.recordValue(micros);
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  /** The latency at `percentile` (0–100), in milliseconds. */
  percentile(percentile: number): number {
    return this.#histogram.getValueAtPercentile(percentile) / 1000;
  }

  summary(): LatencySummary {
    const h = this.#histogram;
    return {
      count: h.totalCount,
      mean: h.totalCount === 0 ? 0 : h.mean / 1000,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: h.maxValue / 1000,
    };
  }

  /** The latency at each percentile of a standard HDR plot, as [percentile, ms] — for report charts. */
  distribution(
    percentiles: readonly number[] = [50, 75, 90, 95, 99, 99.9, 99.99, 100],
  ): Array<[number, number]> {
    return percentiles.map((p) => [p, this.percentile(p)]);
  }

  reset(): void {
    this.#histogram.reset();
  }
}
