import { linearSpace, type SequenceSpace } from './SequenceSpace.js';
import type { SequencedRange, StreamPosition, Verdict } from './types.js';

/** Whether `range` names valid seqs in `space` with `from` not after `seq`. */
export function isWellFormed(range: SequencedRange, space: SequenceSpace = linearSpace): boolean {
  const from = range.from ?? range.seq;
  return space.isValid(range.seq) && space.isValid(from) && space.distance(from, range.seq) >= 0;
}

/** Options for {@link GapDetector}. */
export interface GapDetectorOptions {
  /** The numbering the sender uses. @default linearSpace (server streams); use `wrappingSpace(256)` for devices */
  space?: SequenceSpace;
}

/**
 * The receiver's view of one stream's sequence: it knows the last applied position and classifies each incoming
 * `{epoch, from?, seq}` (protocol rules 3 and 4).
 *
 * A conflated range `from..seq` that overlaps what was applied is `apply`: deltas are keyed sets, so re-applying
 * the overlap is harmless. A range that starts beyond `applied + 1` is a `gap`, and the detector never moves past a
 * gap: only {@link GapDetector.reset} (after a snapshot) does.
 *
 * `classify` allocates nothing and returns a string, so it costs a few comparisons on the hot path.
 */
export class GapDetector {
  readonly #space: SequenceSpace;
  #epoch: string;
  #applied: number;

  /** @param start the position of the snapshot (or birth) the receiver's state reflects. */
  constructor(start: StreamPosition, options: GapDetectorOptions = {}) {
    this.#space = options.space ?? linearSpace;
    this.#epoch = start.epoch;
    this.#applied = start.seq;
  }

  /** The epoch of the history being followed. */
  get epoch(): string {
    return this.#epoch;
  }

  /** The last seq applied. */
  get applied(): number {
    return this.#applied;
  }

  /** The next seq the receiver needs; a message starting beyond it is a gap. */
  get expected(): number {
    return this.#space.advance(this.#applied, 1);
  }

  /** The last applied position, which is also the resume point (protocol rule 6). */
  get position(): StreamPosition {
    return { epoch: this.#epoch, seq: this.#applied };
  }

  /** Classifies `message` without changing anything. */
  classify(message: SequencedRange): Verdict {
    if (message.epoch !== this.#epoch) return 'new-epoch';
    const space = this.#space;
    const seq = message.seq;
    const from = message.from ?? seq;
    // isWellFormed, inlined: this runs for every delta a replica receives.
    if (!space.isValid(seq) || (from !== seq && !space.isValid(from)) || space.distance(from, seq) < 0) {
      return 'invalid';
    }
    // Rule 3: everything up to `seq` was applied already.
    if (space.distance(this.#applied, seq) <= 0) return 'duplicate';
    // Rule 3: the range starts beyond the next expected seq, so something in between is missing.
    if (space.distance(this.#applied, from) > 1) return 'gap';
    return 'apply';
  }

  /** Classifies `message` and, when the verdict is `apply`, advances the applied position to its `seq`. */
  accept(message: SequencedRange): Verdict {
    const verdict = this.classify(message);
    if (verdict === 'apply') this.#applied = message.seq;
    return verdict;
  }

  /**
   * Records that the message numbered `seq` was applied, after {@link GapDetector.classify} said `apply` — for
   * callers that apply between classifying and advancing (and must not advance when applying fails).
   */
  advanceTo(seq: number): void {
    this.#applied = seq;
  }

  /** Moves to a new position: after a snapshot, a rebirth, or a resync in a new epoch. */
  reset(position: StreamPosition): void {
    this.#epoch = position.epoch;
    this.#applied = position.seq;
  }
}
