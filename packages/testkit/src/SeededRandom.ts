import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded random source (pure-rand's xoroshiro128+): the same seed gives the same run, anywhere. */
export class SeededRandom {
  readonly seed: number;
  readonly #rng: RandomGenerator;

  constructor(seed: number) {
    this.seed = seed;
    this.#rng = xoroshiro128plus(seed);
  }

  /** An integer in `min..max`, both included. */
  int(min: number, max: number): number {
    return uniformInt(this.#rng, min, max);
  }

  /** A float in `[0, 1)`. */
  float(): number {
    return uniformFloat64(this.#rng);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(0, items.length - 1)] as T;
  }
}

/**
 * A seed from the environment (`TWOHOP_SEED`) when set, else `fallback` (a fresh one by default) — always printed by
 * the caller (`testSeed` does both). Runs anywhere: without `process` it returns `fallback`.
 */
export function seedFromEnv(fallback: number = Date.now() % 2 ** 31): number {
  const fromEnv = globalThis.process?.env['TWOHOP_SEED'];
  if (fromEnv === undefined || fromEnv === '') return fallback;
  const seed = Number(fromEnv);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`TWOHOP_SEED must be an integer, got "${fromEnv}"`);
  return seed;
}
