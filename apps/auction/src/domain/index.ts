/**
 * The live auction's rules, pure: terms and state, the increment table, proxy bidding, soft close, the refusal
 * codes, the store and audit-log interfaces, the replay that rebuilds auctions from an audit log, and the oracle that
 * counts anomalies in one.
 */
export {
  DEFAULT_SOFT_CLOSE,
  openingState,
  reserveMet,
  softCloseOf,
  SOFT_CLOSE_PRESETS,
  statusAt,
  type AuctionState,
  type AuctionStatus,
  type AuctionTerms,
  type Leader,
  type SoftClose,
} from './auction.js';
export {
  bidKey,
  isValidAmount,
  isValidId,
  malformed,
  MAX_BID_CENTS,
  refusal,
  type AuditEntry,
  type Bid,
  type BidAccepted,
  type BidDecision,
  type BidOutcome,
  type BidRefused,
} from './bids.js';
export type { AuditLog, BidResult, BidStore, CloseResult } from './BidStore.js';
export { INCREMENT_TABLE, incrementFor, type IncrementRow } from './increments.js';
export { closeAuction, minimumBid, placeBid, type CloseDecision } from './placeBid.js';
export {
  AUCTION_ERROR_CODES,
  BID_REFUSAL_CODES,
  isAuctionErrorCode,
  type AuctionErrorCode,
  type BidRefusalCode,
} from './refusals.js';
export {
  canonical,
  isChange,
  replayAudit,
  versionOf,
  type ChangeEntry,
  type ReplayedChange,
  type ReplayResult,
} from './replay.js';
export { countAnomalies, totalAnomalies, type AnomalyCounts } from './oracle.js';
