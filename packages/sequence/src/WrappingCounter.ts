import { wrappingSpace, type SequenceSpace } from './SequenceSpace.js';

/**
 * The sender side of a wrap-around sequence: a device numbering its messages 0, 1, …, 255, 0, 1, …
 * Pair it with a `GapDetector` or `ReorderWindow` built on the same {@link wrappingSpace}.
 */
export class WrappingCounter {
  readonly space: SequenceSpace;
  #value: number;

  /**
   * @param modulus how many distinct numbers before wrapping. @default 256
   * @param start the first number `next()` returns. @default 0
   */
  constructor(modulus = 256, start = 0) {
    this.space = wrappingSpace(modulus);
    if (!this.space.isValid(start)) throw new RangeError(`start ${start} is outside 0..${modulus - 1}`);
    this.#value = this.space.advance(start, -1);
  }

  /** The number most recently returned by `next()` (or the one before `start`). */
  get current(): number {
    return this.#value;
  }

  /** The next number, wrapping to 0 after `modulus - 1`. */
  next(): number {
    this.#value = this.space.advance(this.#value, 1);
    return this.#value;
  }
}
