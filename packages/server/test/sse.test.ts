import { jsonCodec, type DeltaMessage } from '@twohop/protocol';
import { keyedState, Replica, StreamPublisher } from '@twohop/snapshot-delta';
import { FakeClock } from '@twohop/testkit';
import { openStallableEventStream, startTestServer } from '@twohop/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { sseStreams, StreamCatalog, type ConnectionLimits, type SseStreams } from '../src/index.js';
import {
  catalogOf,
  counterValue,
  levelsPublisher,
  newMetrics,
  publishChanges,
  sameState,
  waitFor,
} from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  catalog: StreamCatalog,
  limits: Partial<ConnectionLimits> = {},
  port?: number,
  clock?: FakeClock,
) {
  const metrics = newMetrics();
  let sse: SseStreams | undefined;
  const server = await startTestServer(
    ({ app }) => {
      sse = sseStreams({ catalog, metrics, limits, ...(clock === undefined ? {} : { clock }) });
      app.get('/sse', sse.handler);
    },
    port === undefined ? {} : { port },
  );
  cleanups.push(() => server.close());
  return { server, metrics, sse: sse as SseStreams };
}

/** Parses raw SSE text into events. */
function parseEvents(text: string) {
  return text
    .split('\n\n')
    .map((block) => {
      const event: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(': ');
        if (colon > 0) event[line.slice(0, colon)] = line.slice(colon + 2);
      }
      return event;
    })
    .filter((event) => event['event'] !== undefined);
}

describe('SSE streams', () => {
  it('speaks SSE: text/event-stream, retry hint, X-Accel-Buffering, ack first, ids <epoch>:<seq>', async () => {
    const publisher = levelsPublisher('book:TEST', 1024, 'e1');
    publishChanges(publisher, 3);
    const { server } = await serve(catalogOf(publisher));
    const response = await fetch(`${server.url}/sse?stream=book:TEST`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text.startsWith('retry: 2000\n\n')).toBe(true);
    const events = parseEvents(text);
    expect(events[0]).toMatchObject({ event: 'ack', data: '{"ok":true,"recovered":false}' });
    expect(events[1]).toMatchObject({ event: 'snapshot', id: 'e1:3' });
  });

  it('the browser’s own Last-Event-ID header resumes too', async () => {
    const publisher = levelsPublisher('book:TEST', 1024, 'e1');
    publishChanges(publisher, 10);
    const { server } = await serve(catalogOf(publisher));
    const response = await fetch(`${server.url}/sse?stream=book:TEST`, {
      headers: { 'Last-Event-ID': 'e1:8' },
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('e1:10')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const events = parseEvents(text);
    expect(events[0]).toMatchObject({ event: 'ack', data: '{"ok":true,"recovered":true}' });
    expect(events[1]).toMatchObject({ event: 'batch', id: 'e1:10' });
  });

  it('answers a bad request with 400 or 404 and its error code, before any stream starts', async () => {
    const { server } = await serve(catalogOf(levelsPublisher()));
    for (const [query, status, code] of [
      ['', 400, 'invalid_message'],
      ['stream=has%20space', 400, 'invalid_message'],
      [`stream=${'x'.repeat(5000)}`, 400, 'invalid_message'],
      ['stream=book:NOPE', 404, 'unknown_stream'],
      ['stream=book:TEST&stream=book:TEST', 400, 'invalid_message'],
    ] as const) {
      const response = await fetch(`${server.url}/sse?${query}`);
      expect(response.status, query).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code, query).toBe(code);
    }
    // A malformed Last-Event-ID is ignored: the client simply gets a snapshot.
    const response = await fetch(`${server.url}/sse?stream=book:TEST&lastEventId=%00garbage:-1`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});

describe('SSE backpressure', () => {
  const pad = 'x'.repeat(140);

  /**
   * One reader stalled on a 200-key stream of ~150-byte values while 100,000 changes (15 MB, more than the kernel's
   * socket buffers hold) are published in rounds of 100, yielding to the event loop between rounds. The server's
   * clock is a fake one, so its stall limit moves only when the test advances it.
   */
  async function stalledScenario(limits: Partial<ConnectionLimits>) {
    const publisher = new StreamPublisher({
      stream: 'levels:PAD',
      model: keyedState<string>(),
      historyCapacity: 1024,
    });
    const clock = new FakeClock();
    const context = await serve(new StreamCatalog().add(publisher), limits, undefined, clock);
    const reader = await openStallableEventStream(`${context.server.url}/sse?stream=levels:PAD`);
    cleanups.push(() => reader.close());
    await waitFor('the snapshot', () => reader.text().includes('event: snapshot'));
    reader.stall();
    let maxQueued = 0;
    for (let n = 0; n < 100_000;) {
      for (let i = 0; i < 100; i++, n++)
        publisher.publish([{ op: 'set', key: `level${n % 200}`, value: `${n}${pad}` }]);
      await new Promise((resolve) => setImmediate(resolve));
      for (const stats of context.sse.inspect()) maxQueued = Math.max(maxQueued, stats.queuedChanges);
    }
    return { ...context, clock, publisher, reader, maxQueued };
  }

  it('a reader stalled through 100,000 changes over 200 keys costs at most 200 queued entries, then converges', async () => {
    const scenario = await stalledScenario({ maxStallMs: 60_000 });
    console.log(`SSE stalled: queue peak ${scenario.maxQueued} entries`);
    // The stall bit (the server held changes for this reader), and held no more than one entry per key.
    expect(scenario.maxQueued).toBeGreaterThan(0);
    expect(scenario.maxQueued).toBeLessThanOrEqual(200);

    scenario.reader.resume();
    const last = `id: ${scenario.publisher.position.epoch}:${scenario.publisher.position.seq}\n`;
    await waitFor('the last event', () => scenario.reader.text().includes(last), 20_000);
    const replica = new Replica({ model: keyedState<string>(), onResync: () => {} });
    let conflated = 0;
    for (const event of parseEvents(scenario.reader.text())) {
      if (!['snapshot', 'delta', 'batch'].includes(event['event'] ?? '')) continue;
      const message = jsonCodec.decode(event['data'] ?? '');
      if (message.type === 'delta' && message.from !== undefined && message.from < message.seq) conflated++;
      replica.receive(message as DeltaMessage<never>);
    }
    expect(replica.position?.seq).toBe(scenario.publisher.position.seq);
    expect(sameState(replica.state, scenario.publisher.state)).toBe(true);
    expect(conflated).toBeGreaterThan(0);
    expect(await counterValue(scenario.metrics, 'twohop_conflated_merges_total')).toBeGreaterThan(0);
  }, 60_000);

  it('a reader stalled past the limit is cut with slow_consumer', async () => {
    const scenario = await stalledScenario({ maxStallMs: 300 });
    expect(scenario.maxQueued).toBeGreaterThan(0);
    scenario.clock.advance(299);
    expect(scenario.sse.connections).toBe(1);
    scenario.clock.advance(300);
    // The cut is immediate; the count drops when the response has closed.
    await waitFor('the reader to be cut', () => scenario.sse.connections === 0);
    expect(
      await counterValue(scenario.metrics, 'twohop_slow_consumer_disconnects_total', { transport: 'sse' }),
    ).toBe(1);
    scenario.reader.resume();
    await scenario.reader.ended;
  }, 60_000);
});
