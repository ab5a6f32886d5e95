/**
 * One round trip of a `time` request, on the client's monotonic clock (`performance.now()`): when it was sent,
 * when its reply came, and the server's wall-clock time in the reply (ms since the epoch).
 */
export interface ClockSample {
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly serverTime: number;
}

/** What the client knows about the server's clock. */
export interface OffsetEstimate {
  /** Server time = the client's monotonic time + `offsetMs`. */
  readonly offsetMs: number;
  /** The fastest round trip kept. */
  readonly roundTripMs: number;
  /**
   * The slowest round trip kept: each kept sample is off by at most half its own trip (the server read its clock
   * somewhere inside it), so their mean is off by at most half of this.
   */
  readonly maxRoundTripMs: number;
  /** Samples taken, and kept after slow round trips were discarded. */
  readonly samples: number;
  readonly kept: number;
}

const median = (sorted: readonly number[]): number => {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * The server clock's offset from several request/response samples, as the timesync library computes it: each
 * sample assumes the server read its clock half-way through the round trip; samples whose round trip is above the
 * median plus one standard deviation are discarded (a slow trip is an asymmetric one, and it skews the estimate),
 * and the rest are averaged. Returns undefined for no samples.
 */
export function estimateOffset(samples: readonly ClockSample[]): OffsetEstimate | undefined {
  if (samples.length === 0) return undefined;
  const trips = samples.map((sample) => sample.receivedAt - sample.sentAt);
  const mean = trips.reduce((sum, trip) => sum + trip, 0) / trips.length;
  const deviation = Math.sqrt(trips.reduce((sum, trip) => sum + (trip - mean) ** 2, 0) / trips.length);
  const limit = median([...trips].sort((a, b) => a - b)) + deviation;
  const kept = samples.filter((_sample, index) => (trips[index] as number) <= limit);
  const offsets = kept.map((sample) => sample.serverTime - (sample.sentAt + sample.receivedAt) / 2);
  return {
    offsetMs: offsets.reduce((sum, offset) => sum + offset, 0) / offsets.length,
    roundTripMs: Math.min(...kept.map((sample) => sample.receivedAt - sample.sentAt)),
    maxRoundTripMs: Math.max(...kept.map((sample) => sample.receivedAt - sample.sentAt)),
    samples: samples.length,
    kept: kept.length,
  };
}
