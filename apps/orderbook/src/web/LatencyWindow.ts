import type { TradeView } from '../feed/BookFeed.js';

/**
 * Server-to-screen latency from the trades' server timestamps, over the last 1,000 trades that arrived live. Trades
 * in a snapshot happened before the client was there, so {@link LatencyWindow.prime} marks them seen without
 * counting them. Server and browser share a clock only on one machine; elsewhere this includes their offset.
 */
export class LatencyWindow {
  readonly #seen = new Set<string>();
  readonly #order: string[] = [];
  readonly #samples: number[] = [];

  /** Marks trades as seen without counting them (a snapshot's history). */
  prime(ids: Iterable<string>): void {
    for (const id of ids) this.#remember(id);
  }

  /** Counts a trade once, the first time its id is seen. */
  observe(id: string, trade: TradeView, now: number): void {
    if (this.#seen.has(id)) return;
    this.#remember(id);
    this.#samples.push(Math.max(0, now - trade.ts));
    if (this.#samples.length > 1000) this.#samples.shift();
  }

  summary(): { p50: number; p99: number } {
    if (this.#samples.length === 0) return { p50: 0, p99: 0 };
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    return { p50: at(0.5), p99: at(0.99) };
  }

  #remember(id: string): void {
    this.#seen.add(id);
    this.#order.push(id);
    // Bounded: the trade stream keeps its last 50, so the last few hundred ids are plenty.
    if (this.#order.length > 500) this.#seen.delete(this.#order.shift() as string);
  }
}
