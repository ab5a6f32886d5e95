/** A point in a stream's history: the epoch (one continuous history) and the last seq in it. */
export interface StreamPosition {
  readonly epoch: string;
  readonly seq: number;
}

/**
 * What a sequenced message says about itself: it carries the changes `from..seq` of epoch `epoch`.
 * `from` is omitted for a single change (`from = seq`); `from < seq` marks a conflated range.
 */
export interface SequencedRange {
  readonly epoch: string;
  readonly seq: number;
  readonly from?: number | undefined;
}

/**
 * How a receiver treats an incoming message (protocol rules 3 and 4, `docs/protocol.md`):
 * - `apply`: it continues the history (it may overlap what was applied; keyed sets make that harmless);
 * - `duplicate`: everything in it was applied already: drop it;
 * - `gap`: it starts beyond the next expected seq: never apply it; resync;
 * - `new-epoch`: it belongs to another history: drop state and resync;
 * - `invalid`: its range is malformed (`from > seq`, non-integers): treat like a gap.
 */
export type Verdict = 'apply' | 'duplicate' | 'gap' | 'new-epoch' | 'invalid';
