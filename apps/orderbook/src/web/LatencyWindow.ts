/**
 * Engine-to-screen latency: the last 1,000 samples of (arrival time − the server timestamp of the newest change in
 * a delta). Server and browser share a clock only on one machine; elsewhere this includes their offset.
 */
export class LatencyWindow {
  readonly #samples: number[] = [];

  record(ms: number): void {
    this.#samples.push(Math.max(0, ms));
    if (this.#samples.length > 1000) this.#samples.shift();
  }

  summary(): { p50: number; p99: number } {
    if (this.#samples.length === 0) return { p50: 0, p99: 0 };
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    return { p50: at(0.5), p99: at(0.99) };
  }
}
