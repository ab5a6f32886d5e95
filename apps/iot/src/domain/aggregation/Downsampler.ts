/** The summary of one series over one fixed interval: what charts and aggregates are made of. */
export interface Bucket {
  /** The series, e.g. a device id or a floor path. */
  readonly series: string;
  readonly metric: string;
  /** The interval's start, a multiple of the interval (ms since the epoch). */
  readonly start: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** The mean of a bucket. */
export const meanOf = (bucket: Pick<Bucket, 'sum' | 'count'>): number => bucket.sum / bucket.count;

/** Merges two summaries of the same series and metric (count, sum, min, max add up; mean follows). */
export function mergeBuckets<B extends Omit<Bucket, 'series' | 'metric' | 'start'>>(a: B, b: B): B {
  return {
    ...a,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

interface Open {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Downsamples readings to a fixed interval: every reading goes into the bucket of its series, metric and
 * interval (`start = floor(ts / interval) * interval`), and {@link Downsampler.close} hands back the buckets whose
 * interval has ended. Memory is bounded by the open buckets (series × metrics × open intervals); a reading for an
 * interval already closed is counted as late and dropped, so a closed bucket never changes. Pure: time is passed in.
 */
export class Downsampler {
  readonly intervalMs: number;
  /** Open buckets by interval start, then by `series\0metric`. */
  readonly #open = new Map<number, Map<string, Open>>();
  /** Every interval before this one is closed. */
  #closedBefore = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(intervalMs: number) {
    if (!(intervalMs > 0) || !Number.isInteger(intervalMs))
      throw new RangeError('the interval must be a positive integer of ms');
    this.intervalMs = intervalMs;
  }

  /** Readings dropped because their interval was already closed. */
  get late(): number {
    return this.#late;
  }

  /** Adds one reading. Non-finite values are ignored. */
  add(series: string, metric: string, value: number, ts: number): void {
    if (!Number.isFinite(value)) return;
    const start = Math.floor(ts / this.intervalMs) * this.intervalMs;
    if (start < this.#closedBefore) {
      this.#late++;
      return;
    }
    let buckets = this.#open.get(start);
    if (buckets === undefined) {
      buckets = new Map();
      this.#open.set(start, buckets);
    }
    const id = `${series}\u0000${metric}`;
    const open = buckets.get(id);
    if (open === undefined) buckets.set(id, { count: 1, sum: value, min: value, max: value });
    else {
      open.count++;
      open.sum += value;
      if (value < open.min) open.min = value;
      if (value > open.max) open.max = value;
    }
  }

  /** Closes every interval that ended at or before `now` and returns its buckets, oldest interval first. */
  close(now: number): Bucket[] {
    const before = Math.floor(now / this.intervalMs) * this.intervalMs;
    if (before > this.#closedBefore) this.#closedBefore = before;
    const closed: Bucket[] = [];
    for (const start of [...this.#open.keys()].sort((a, b) => a - b)) {
      if (start >= before) break;
      for (const [id, open] of this.#open.get(start)!) {
        const separator = id.indexOf('\u0000');
        closed.push({ series: id.slice(0, separator), metric: id.slice(separator + 1), start, ...open });
      }
      this.#open.delete(start);
    }
    return closed;
  }
}
