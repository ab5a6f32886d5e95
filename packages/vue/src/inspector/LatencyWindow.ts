/**
 * Server-to-screen latency: the last `capacity` samples of (arrival time − the server timestamp a delta carries,
 * the time of its newest change). Server and browser share a clock only on one machine; elsewhere this includes
 * their offset.
 */
export class LatencyWindow {
  readonly #samples: number[] = [];

  constructor(readonly capacity = 1000) {}

  record(ms: number): void {
    this.#samples.push(Math.max(0, ms));
    if (this.#samples.length > this.capacity) this.#samples.shift();
  }

  /** The median and 99th percentile of the window, in ms; undefined before the first sample. */
  summary(): { p50: number; p99: number } | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    return { p50: at(0.5), p99: at(0.99) };
  }
}
