import type { StreamPosition } from './types.js';

/** Options for {@link Sequencer}. */
export interface SequencerOptions {
  /** The epoch to start in. @default a fresh id from `newEpochId` */
  epoch?: string;
  /** The seq of the last change already made in `epoch`. @default 0 */
  seq?: number;
  /** Makes a new epoch id. Injectable so tests are deterministic. @default a random UUID */
  newEpochId?: () => string;
}

/**
 * Numbers one stream's changes on the server: every change gets the next integer seq within the current epoch.
 * A new epoch starts whenever the history that resumes depend on is lost (a restart without persistence, a reset
 * of state), so clients can tell "more of the same history" from "a different history" (protocol rule 4).
 */
export class Sequencer {
  #epoch: string;
  #seq: number;
  readonly #newEpochId: () => string;

  constructor(options: SequencerOptions = {}) {
    this.#newEpochId = options.newEpochId ?? randomEpochId;
    this.#epoch = options.epoch ?? this.#newEpochId();
    this.#seq = options.seq ?? 0;
  }

  /** The current epoch id. */
  get epoch(): string {
    return this.#epoch;
  }

  /** The seq of the last change numbered in the current epoch (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** The position of the last numbered change. */
  get position(): StreamPosition {
    return { epoch: this.#epoch, seq: this.#seq };
  }

  /** Numbers the next change and returns its seq. */
  next(): number {
    return ++this.#seq;
  }

  /** Starts a new history: a fresh epoch id, seq back to 0. Returns the new epoch id. */
  newEpoch(): string {
    this.#epoch = this.#newEpochId();
    this.#seq = 0;
    return this.#epoch;
  }
}

/** A random epoch id from the Web Crypto API, which browsers and Node 20 both provide. */
export function randomEpochId(): string {
  return globalThis.crypto.randomUUID();
}
