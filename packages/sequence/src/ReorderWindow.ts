import { systemClock, type Clock, type TimerHandle } from './Clock.js';
import { GapDetector } from './GapDetector.js';
import { linearSpace, type SequenceSpace } from './SequenceSpace.js';
import type { StreamPosition } from './types.js';

/** A hole in the sequence that the window could not fill. */
export interface SequenceGap {
  /** The first missing seq. */
  readonly expected: number;
  /** The seq whose arrival (or whose wait) showed the hole. */
  readonly received: number;
  /** Why the window gave up: the hole outlived `timeoutMs`, or an arrival came more than `capacity` ahead. */
  readonly reason: 'timeout' | 'capacity';
}

/** What {@link ReorderWindow.push} did with an arrival. */
export type ReorderOutcome = 'delivered' | 'buffered' | 'duplicate' | 'gap' | 'new-epoch' | 'invalid';

/** Options for {@link ReorderWindow}. */
export interface ReorderWindowOptions<T> {
  /** Called in seq order for every item, including ones released from the window. */
  deliver: (item: T, seq: number) => void;
  /** Called once when a hole cannot be filled; the window then waits for {@link ReorderWindow.reset}. */
  onGap: (gap: SequenceGap) => void;
  /** The numbering the sender uses. @default linearSpace */
  space?: SequenceSpace;
  /**
   * How far ahead of the last delivered seq an arrival may be and still wait for the hole before it to fill (so at
   * most `capacity - 1` arrivals wait). @default 32
   */
  capacity?: number;
  /** How long the oldest waiting arrival may wait before its hole is declared a gap. @default 250 */
  timeoutMs?: number;
  /** Time source for the timeout. @default systemClock */
  clock?: Clock;
}

interface Waiting<T> {
  readonly item: T;
  readonly arrivedAt: number;
}

/**
 * Puts arrivals that are out of order within a small bounded window back in order. A hole that outlives the
 * timeout, or an arrival further ahead than the capacity, is a gap: the window reports it once, drops what waited (it
 * must never be applied across the hole) and ignores everything until `reset` — for MQTT devices, until the device
 * answers the rebirth request with its full state.
 */
export class ReorderWindow<T> {
  readonly #options: Required<Omit<ReorderWindowOptions<T>, 'deliver' | 'onGap'>>;
  readonly #deliver: (item: T, seq: number) => void;
  readonly #onGap: (gap: SequenceGap) => void;
  readonly #detector: GapDetector;
  readonly #waiting = new Map<number, Waiting<T>>();
  #timer: TimerHandle | undefined;
  #gapped = false;

  constructor(start: StreamPosition, options: ReorderWindowOptions<T>) {
    const space = options.space ?? linearSpace;
    this.#options = {
      space,
      capacity: options.capacity ?? 32,
      timeoutMs: options.timeoutMs ?? 250,
      clock: options.clock ?? systemClock,
    };
    // In a wrapping space, a window of half the space or more could not tell ahead from behind.
    if (space.distance(0, this.#options.capacity + 1) !== this.#options.capacity + 1) {
      throw new RangeError('capacity must be less than half the sequence space');
    }
    this.#deliver = options.deliver;
    this.#onGap = options.onGap;
    this.#detector = new GapDetector(start, { space });
  }

  /** The last position delivered in order. */
  get position(): StreamPosition {
    return this.#detector.position;
  }

  /** How many arrivals wait for a hole to fill. */
  get pending(): number {
    return this.#waiting.size;
  }

  /** Whether a gap was reported and the window waits for `reset`. */
  get gapped(): boolean {
    return this.#gapped;
  }

  /** Takes one arrival numbered `message.seq`. */
  push(message: StreamPosition, item: T): ReorderOutcome {
    const verdict = this.#detector.classify(message);
    if (verdict === 'new-epoch' || verdict === 'invalid') return verdict;
    if (this.#gapped) return 'gap';
    if (verdict === 'duplicate') return 'duplicate';
    if (verdict === 'apply') {
      this.#detector.accept(message);
      this.#deliver(item, message.seq);
      this.#release();
      return 'delivered';
    }
    // Ahead of the next expected seq: wait for the hole to fill, within bounds.
    if (this.#waiting.has(message.seq)) return 'duplicate';
    const { space, capacity, clock } = this.#options;
    // Arrivals wait only within `capacity` of the last delivered seq, so at most `capacity - 1` of them wait.
    const ahead = space.distance(this.#detector.applied, message.seq);
    if (ahead > capacity) {
      this.#declareGap(message.seq, 'capacity');
      return 'gap';
    }
    this.#waiting.set(message.seq, { item, arrivedAt: clock.now() });
    this.#armTimer();
    return 'buffered';
  }

  /** Starts again from `position` (a rebirth): forgets the gap and everything waiting. */
  reset(position: StreamPosition): void {
    this.#clear();
    this.#gapped = false;
    this.#detector.reset(position);
  }

  /** Cancels the timer; call when the window is no longer used. */
  dispose(): void {
    this.#clear();
  }

  /** Delivers every waiting arrival that now continues the sequence. */
  #release(): void {
    for (;;) {
      const next = this.#detector.expected;
      const waiting = this.#waiting.get(next);
      if (waiting === undefined) break;
      this.#waiting.delete(next);
      this.#detector.accept({ epoch: this.#detector.epoch, seq: next });
      this.#deliver(waiting.item, next);
    }
    this.#armTimer();
  }

  /** Keeps one timer for the oldest waiting arrival, or none when nothing waits. */
  #armTimer(): void {
    const { clock, timeoutMs } = this.#options;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    // A Map keeps insertion order, which is arrival order: the first entry has waited longest.
    const oldest = this.#waiting.entries().next().value;
    if (oldest === undefined) return;
    const [seq, { arrivedAt }] = oldest;
    const wait = Math.max(0, arrivedAt + timeoutMs - clock.now());
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#declareGap(seq, 'timeout');
    }, wait);
  }

  #declareGap(received: number, reason: SequenceGap['reason']): void {
    const expected = this.#detector.expected;
    this.#clear();
    this.#gapped = true;
    this.#onGap({ expected, received, reason });
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting.clear();
  }
}
