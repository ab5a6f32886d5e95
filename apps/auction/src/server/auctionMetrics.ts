import { StreamMetrics } from '@twohop/metrics';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The auction's own metrics on `/metrics`, beside every twohop server's standard ones. */
export interface AuctionMetrics {
  readonly stream: StreamMetrics;
  readonly registry: Registry;
  /**
   * Bid attempts by outcome: `accepted`, `duplicate` (a retry answered from the store), or the refusal's code
   * (`bid_too_low`, `auction_closed`, …), and by source (`user`, `simulated`).
   */
  readonly bids: Counter<'outcome' | 'source'>;
  /** Time from a bid's arrival to its decision being durable (store + audit log), before the ack. */
  readonly bidSeconds: Histogram;
  /** Lots closed, by result (`sold`, `reserve_not_met`, `no_bids`). */
  readonly closed: Counter<'result'>;
  /** Notices sent to users, by kind (`winning`, `outbid`, `won`, `lost`). */
  readonly notices: Counter<'kind'>;
}

/** Registers the auction's metrics in a new registry (with the standard ones). */
export function auctionMetrics(
  stream = new StreamMetrics({ defaultLabels: { app: 'auction' } }),
): AuctionMetrics {
  const registers = [stream.registry];
  return {
    stream,
    registry: stream.registry,
    bids: new Counter({
      name: 'auction_bids_total',
      help: 'Bid attempts by outcome (accepted, duplicate, or the refusal code) and source (user, simulated).',
      labelNames: ['outcome', 'source'] as const,
      registers,
    }),
    bidSeconds: new Histogram({
      name: 'auction_bid_seconds',
      help: 'Time from a bid arriving to its decision being durable (store and audit log), before its ack.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    closed: new Counter({
      name: 'auction_lots_closed_total',
      help: 'Lots closed, by result (sold, reserve_not_met, no_bids).',
      labelNames: ['result'] as const,
      registers,
    }),
    notices: new Counter({
      name: 'auction_notices_total',
      help: 'Notices sent to users, by kind (winning, outbid, won, lost).',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}
