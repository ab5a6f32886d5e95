/** A traded symbol: where its simulated price starts and how the mobile tier buckets it. Prices are in cents. */
export interface SymbolSpec {
  readonly symbol: string;
  /** Starting mid price, in ticks (cents). */
  readonly mid: number;
  /** Mobile tier bucket size, in ticks. */
  readonly bucket: number;
}

export const SYMBOLS: readonly SymbolSpec[] = [
  { symbol: 'BTC-USD', mid: 6_500_000, bucket: 500 },
  { symbol: 'ETH-USD', mid: 350_000, bucket: 50 },
  { symbol: 'SOL-USD', mid: 15_000, bucket: 5 },
];
