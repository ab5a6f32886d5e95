import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Downsampler, meanOf, mergeBuckets } from './Downsampler.js';
import { aggregateSeries, toAggregate } from './SiteAggregates.js';

describe('Downsampler', () => {
  it('summarises each series and metric per fixed interval and hands a bucket back once its interval ended', () => {
    const sampler = new Downsampler(1000);
    sampler.add('b1/f1', 'temperature', 20, 1000);
    sampler.add('b1/f1', 'temperature', 24, 1999);
    sampler.add('b1/f1', 'temperature', 30, 2000);
    sampler.add('b1', 'co2', 500, 1500);
    expect(sampler.close(1999)).toEqual([]);
    expect(sampler.close(2000)).toEqual([
      { series: 'b1/f1', metric: 'temperature', start: 1000, count: 2, sum: 44, min: 20, max: 24 },
      { series: 'b1', metric: 'co2', start: 1000, count: 1, sum: 500, min: 500, max: 500 },
    ]);
    expect(sampler.close(3500)).toEqual([
      { series: 'b1/f1', metric: 'temperature', start: 2000, count: 1, sum: 30, min: 30, max: 30 },
    ]);
  });

  it('drops a reading for an interval already closed (a closed bucket never changes) and counts it', () => {
    const sampler = new Downsampler(1000);
    sampler.close(5000);
    sampler.add('s', 'm', 1, 4999);
    sampler.add('s', 'm', Number.NaN, 5000);
    expect(sampler.late).toBe(1);
    expect(sampler.close(6000)).toEqual([]);
  });

  it('loses nothing: the closed buckets hold every reading, whatever the order (property)', () => {
    const reading = fc.record({
      series: fc.constantFrom('a', 'b'),
      value: fc.integer({ min: -1000, max: 1000 }),
      ts: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(reading, { maxLength: 200 }),
        fc.integer({ min: 1, max: 5000 }),
        (readings, interval) => {
          const sampler = new Downsampler(interval);
          for (const { series, value, ts } of readings) sampler.add(series, 'm', value, ts);
          const buckets = sampler.close(20_000);
          expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(readings.length);
          expect(buckets.reduce((sum, bucket) => sum + bucket.sum, 0)).toBe(
            readings.reduce((sum, r) => sum + r.value, 0),
          );
          for (const bucket of buckets) {
            const inside = readings.filter(
              (r) => r.series === bucket.series && Math.floor(r.ts / interval) * interval === bucket.start,
            );
            expect(bucket.min).toBe(Math.min(...inside.map((r) => r.value)));
            expect(bucket.max).toBe(Math.max(...inside.map((r) => r.value)));
          }
        },
      ),
    );
  });

  it('merges summaries so that the mean of the merge is the mean of all readings', () => {
    const merged = mergeBuckets(
      { count: 2, sum: 10, min: 4, max: 6 },
      { count: 1, sum: 20, min: 20, max: 20 },
    );
    expect(merged).toEqual({ count: 3, sum: 30, min: 4, max: 20 });
    expect(meanOf(merged)).toBe(10);
  });

  it('shapes a bucket for the site tree, and feeds a reading to its floor and its building', () => {
    expect(
      toAggregate({ series: 'b1/f1', metric: 'm', start: 0, count: 3, sum: 10, min: 1.234, max: 5 }),
    ).toEqual({
      mean: 3.33,
      min: 1.23,
      max: 5,
      n: 3,
      t: 0,
    });
    expect(aggregateSeries({ building: 'b1', floor: 'f2' })).toEqual(['b1/f2', 'b1']);
  });
});
