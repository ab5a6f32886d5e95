/** A traded symbol: where its simulated price starts and how the mobile tier buckets it. Prices are in cents. */
export interface SymbolSpec {
  readonly symbol: string;
  /** Starting mid price, in ticks (cents). */
  readonly mid: number;
  /**
   * Mobile tier bucket size, in ticks. The simulated book spans about 45–90 ticks per side (limit orders rest a
   * mean 8 ticks from the touch), so 2-tick buckets give the tier its ten buckets per side.
   */
  readonly bucket: number;
}

export const SYMBOLS: readonly SymbolSpec[] = [
  { symbol: 'BTC-USD', mid: 6_500_000, bucket: 2 },
  { symbol: 'ETH-USD', mid: 350_000, bucket: 2 },
  { symbol: 'SOL-USD', mid: 15_000, bucket: 2 },
];
