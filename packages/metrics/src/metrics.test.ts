import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './LatencyRecorder.js';
import { metricsHandler } from './metricsHandler.js';
import { StreamMetrics, streamKind } from './StreamMetrics.js';
import { TimeSeries } from './TimeSeries.js';

describe('LatencyRecorder', () => {
  it('reports percentiles of what it recorded', () => {
    const recorder = new LatencyRecorder();
    for (let ms = 1; ms <= 1000; ms++) recorder.record(ms);
    const summary = recorder.summary();
    expect(summary.count).toBe(1000);
    expect(summary.p50).toBeCloseTo(500, -1);
    expect(summary.p99).toBeCloseTo(990, -1);
    expect(summary.max).toBeCloseTo(1000, 0);
  });

  it('clamps what it cannot hold instead of throwing', () => {
    const recorder = new LatencyRecorder(10);
    recorder.record(-5);
    recorder.record(1e9);
    expect(recorder.count).toBe(2);
    expect(recorder.summary().max).toBeLessThanOrEqual(10.01);
  });
});

describe('StreamMetrics', () => {
  it('labels streams by kind', () => {
    expect(streamKind('book:BTC-USD')).toBe('book');
    expect(streamKind('plain')).toBe('plain');
  });

  it('serves the standard metrics in Prometheus text at GET /metrics', async () => {
    const metrics = new StreamMetrics({ defaultLabels: { app: 'test' } });
    metrics.messagesOut.inc({ stream: 'book', type: 'delta', transport: 'socket.io' }, 3);
    metrics.resumes.inc({ stream: 'book', result: 'replay' });
    metrics.connectedClients.set({ transport: 'sse' }, 2);
    const server = createServer(metricsHandler(metrics.registry)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toContain(
        'twohop_messages_out_total{stream="book",type="delta",transport="socket.io",app="test"} 3',
      );
      expect(text).toContain('twohop_resumes_total{stream="book",result="replay",app="test"} 1');
      expect(text).toContain('twohop_connected_clients{transport="sse",app="test"} 2');
      expect(text).toContain('twohop_slow_consumer_disconnects_total');
      expect(text).toContain('twohop_process_resident_memory_bytes');
    } finally {
      server.close();
    }
  });
});

describe('TimeSeries', () => {
  it('reads counts back as a rate per second per bucket, empty buckets as 0', () => {
    let now = 0;
    const series = new TimeSeries({ bucketMs: 250, now: () => now });
    series.count(5);
    now = 600;
    series.count();
    series.count(2);
    expect(series.points()).toEqual([
      [0.25, 20],
      [0.5, 0],
      [0.75, 12],
    ]);
  });

  it('keeps the highest level of a bucket and leaves empty buckets out', () => {
    let now = 0;
    const series = new TimeSeries({ bucketMs: 100, now: () => now });
    series.level(3);
    series.level(7);
    series.level(5);
    now = 350;
    series.level(1);
    expect(series.points()).toEqual([
      [0.1, 7],
      [0.4, 1],
    ]);
  });

  it('stays within maxPoints over any run by merging neighbouring buckets', () => {
    let now = 0;
    const series = new TimeSeries({ bucketMs: 10, maxPoints: 8, now: () => now });
    for (; now < 1000; now += 10) series.count();
    const points = series.points();
    expect(points.length).toBeLessThanOrEqual(8);
    // One event every 10 ms is 100 a second whatever the width the buckets grew to.
    for (const [, rate] of points.slice(0, -1)) expect(rate).toBe(100);
    expect(points.at(-1)![0]).toBeGreaterThanOrEqual(1);
  });

  it('refuses to mix counts and levels', () => {
    const series = new TimeSeries();
    series.count();
    expect(() => series.level(1)).toThrow(TypeError);
  });
});
