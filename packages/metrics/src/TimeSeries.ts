/** Options for {@link TimeSeries}. */
export interface TimeSeriesOptions {
  /** The width of one point, in milliseconds. @default 250 */
  readonly bucketMs?: number;
  /**
   * The most points kept. Past it, neighbouring points merge pairwise (the width doubles), so a run of any length
   * stays bounded and still covers its whole span. @default 1200
   */
  readonly maxPoints?: number;
  /** The clock, in milliseconds (injected in tests). @default performance.now */
  readonly now?: () => number;
}

/**
 * A quantity over time for a report's chart, in fixed buckets since the series started: either events counted per
 * bucket (`count`, read back as a rate per second) or a level sampled (`level`, read back as the bucket's highest
 * sample). Memory is bounded by `maxPoints` however long the run.
 */
export class TimeSeries {
  #bucketMs: number;
  readonly #maxPoints: number;
  readonly #now: () => number;
  readonly #start: number;
  /** Per bucket: the count, or the highest level (undefined where nothing was recorded). */
  readonly #buckets: Array<number | undefined> = [];
  #kind: 'count' | 'level' | undefined;

  constructor(options: TimeSeriesOptions = {}) {
    this.#bucketMs = options.bucketMs ?? 250;
    this.#maxPoints = Math.max(2, options.maxPoints ?? 1200);
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
  }

  /** Counts `n` events now. */
  count(n = 1): void {
    this.#use('count');
    const i = this.#index();
    this.#buckets[i] = (this.#buckets[i] ?? 0) + n;
  }

  /** Records a level now (a queue length, a memory size); a bucket keeps its highest. */
  level(value: number): void {
    this.#use('level');
    const i = this.#index();
    this.#buckets[i] = Math.max(this.#buckets[i] ?? Number.NEGATIVE_INFINITY, value);
  }

  /**
   * The series as `[seconds since start, value]` at the end of each bucket: counts as a rate per second (empty
   * buckets up to the last one count as 0), levels as recorded (empty buckets left out).
   */
  points(): Array<[number, number]> {
    const seconds = this.#bucketMs / 1000;
    const points: Array<[number, number]> = [];
    // A plain loop: buckets nothing fell in are holes, which forEach would skip.
    for (let i = 0; i < this.#buckets.length; i++) {
      const value = this.#buckets[i];
      const at = Number(((i + 1) * seconds).toFixed(3));
      if (this.#kind === 'count') points.push([at, Number(((value ?? 0) / seconds).toFixed(2))]);
      else if (value !== undefined) points.push([at, value]);
    }
    return points;
  }

  #use(kind: 'count' | 'level'): void {
    if (this.#kind !== undefined && this.#kind !== kind)
      throw new TypeError(`this series holds ${this.#kind}s; it cannot also take a ${kind}`);
    this.#kind = kind;
  }

  /** The bucket now falls in, merging pairs of buckets first while it would lie past `maxPoints`. */
  #index(): number {
    const elapsed = Math.max(0, this.#now() - this.#start);
    let i = Math.floor(elapsed / this.#bucketMs);
    while (i >= this.#maxPoints) {
      this.#merge();
      i = Math.floor(elapsed / this.#bucketMs);
    }
    return i;
  }

  #merge(): void {
    const merged: Array<number | undefined> = [];
    for (let i = 0; i < this.#buckets.length; i += 2) {
      const [a, b] = [this.#buckets[i], this.#buckets[i + 1]];
      if (a === undefined || b === undefined) merged.push(a ?? b);
      else merged.push(this.#kind === 'count' ? a + b : Math.max(a, b));
    }
    this.#buckets.length = 0;
    this.#buckets.push(...merged);
    this.#bucketMs *= 2;
  }
}
