import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './LatencyRecorder.js';
import { metricsHandler } from './metricsHandler.js';
import { StreamMetrics, streamKind } from './StreamMetrics.js';

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
